import { Registry, collectDefaultMetrics } from 'prom-client';
import type { RoleRun } from '../cli/role.js';
import { createCodec } from '../codec/create-codec.js';
import { createKafka } from '../kafka/kafka-client.js';
import { kafkaSecurityOf } from '../kafka/kafka-security.js';
import { startHealthServer } from '../lifecycle/health-server.js';
import { servingSecurityOf } from '../lifecycle/http-listener.js';
import { SHUTDOWN_TIMEOUT_MILLIS, stopOnSignals, stopWithin } from '../lifecycle/shutdown.js';
import { messageOf } from '../errors/kcost-error.js';
import { createLogger } from '../log/logger.js';
import { buildProcessor } from './processor.js';
import type { processorSettings } from './processor-settings.js';
import { processorConfigOf } from './processor-settings.js';

/** Runs `kcost process`; its help and settings are in process-role.ts. */
export const run: RoleRun<typeof processorSettings> = async (config) => {
  const logger = createLogger({ service: 'process', level: config.logLevel });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const kafka = createKafka({ brokers: config.brokers, clientId: config.clientId, logger, security: kafkaSecurityOf(config) });
  const processor = buildProcessor({ kafka, codec: createCodec({ schemaRegistryUrl: config.schemaRegistryUrl }), logger, registry }, processorConfigOf(config));
  const health = await startHealthServer({ port: config.healthPort, isReady: () => processor.ready, registry , security: servingSecurityOf(config, logger) });
  logger.info({ port: health.port }, 'health server listening');
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= processor.stop().finally(() => health.close()));
  const stopped = stopOnSignals(stop, logger);
  try {
    await processor.start();
    await Promise.race([stopped, processor.failure]);
    return 0;
  } catch (error) {
    // Exit rather than linger: a supervisor restarts the process, which resumes from the committed offsets.
    logger.error({ err: error }, `cost processor failed, exiting for a restart: ${messageOf(error)}`);
    await stopWithin(stop, SHUTDOWN_TIMEOUT_MILLIS, logger).catch((stopError: unknown) => logger.warn({ err: stopError }, 'stopping after the failure failed too'));
    return 1;
  }
};
