import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { KcostError } from '../errors/kcost-error.js';
import { createLogger } from './logger.js';

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe('createLogger', () => {
  it('writes one JSON object per event, with the role as service', () => {
    const out = capture();
    createLogger({ service: 'sink', level: 'info', format: 'json' }, out.stream).info({ rows: 3 }, 'batch loaded');
    expect(JSON.parse(out.text())).toMatchObject({ level: 30, service: 'sink', rows: 3, msg: 'batch loaded' });
  });

  it('renders the same event for a person on a terminal: time, level, role, message and fields on one line', () => {
    const out = capture();
    createLogger({ service: 'sink', level: 'info', format: 'pretty' }, out.stream).info({ rows: 3 }, 'batch loaded');
    expect(out.text()).toMatch(/^\[\d{2}:\d{2}:\d{2}\] INFO: sink: batch loaded \{"rows":3\}\n$/);
  });

  it('puts an error under its event on a terminal, by code and message', () => {
    const out = capture();
    const error = new KcostError('KAFKA_UNREACHABLE', 'cannot reach the Kafka broker at 127.0.0.1:1');
    createLogger({ service: 'process', level: 'info', format: 'pretty' }, out.stream).error({ err: error }, 'cost processor failed');
    expect(out.text()).toMatch(/^\[\d{2}:\d{2}:\d{2}\] ERROR: process: cost processor failed \n {4}err: KAFKA_UNREACHABLE: cannot reach the Kafka broker at 127\.0\.0\.1:1\n$/);
  });

  it('logs an expected failure (a KcostError) by its code and message, without a stack trace', () => {
    const out = capture();
    const error = new KcostError('KAFKA_UNREACHABLE', 'cannot reach the Kafka broker at 127.0.0.1:1', { cause: new Error('connect ECONNREFUSED') });
    createLogger({ service: 'process', level: 'info', format: 'json' }, out.stream).error({ err: error }, 'cost processor failed');
    expect((JSON.parse(out.text()) as { err: unknown }).err).toEqual({ type: 'KcostError', code: 'KAFKA_UNREACHABLE', message: 'cannot reach the Kafka broker at 127.0.0.1:1', cause: 'connect ECONNREFUSED' });
  });

  it('keeps the stack of an unexpected error', () => {
    const out = capture();
    createLogger({ service: 'process', level: 'info', format: 'json' }, out.stream).error({ err: new TypeError('x is undefined') }, 'crashed');
    expect((JSON.parse(out.text()) as { err: { stack: string } }).err.stack).toContain('TypeError: x is undefined');
  });
});
