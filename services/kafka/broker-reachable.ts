import { connect } from 'node:net';
import { KcostError, messageOf } from '../errors/kcost-error.js';

/**
 * Resolves once any of the seed brokers accepts a TCP connection; after
 * `timeoutMillis` of trying, rejects with a KAFKA_UNREACHABLE error that names
 * the brokers and what to do. A role checks this once, before kafkajs's own
 * connect: kafkajs would retry for half a minute with a stack trace per
 * attempt, which tells a user nothing they can act on.
 */
export async function awaitBroker(brokers: readonly string[], timeoutMillis: number, retryMillis = 500): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  let lastError = 'no broker given';
  for (;;) {
    const attempts = brokers.map((broker) => tryConnect(broker, Math.max(200, Math.min(2000, deadline - Date.now()))));
    try {
      await Promise.any(attempts);
      return;
    } catch (error) {
      const errors = error instanceof AggregateError ? error.errors : [error];
      lastError = messageOf(errors[0]);
    }
    if (Date.now() + retryMillis >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, retryMillis));
  }
  throw new KcostError(
    'KAFKA_UNREACHABLE',
    `cannot reach the Kafka broker at ${brokers.join(',')} (${lastError}) within ${Math.round(timeoutMillis / 1000)} s: start one (npm run kafka -- start) or point --brokers / KAFKA_BROKERS at yours`,
    { retriable: true },
  );
}

function tryConnect(broker: string, timeoutMillis: number): Promise<void> {
  const separator = broker.lastIndexOf(':');
  const host = broker.slice(0, separator).replace(/^\[|\]$/g, '');
  const port = Number(broker.slice(separator + 1));
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMillis, () => fail(new Error(`no answer in ${timeoutMillis} ms`)));
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
  });
}
