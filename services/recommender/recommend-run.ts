import { Registry, collectDefaultMetrics } from 'prom-client';
import type { RoleRun } from '../cli/role.js';
import { createCodec } from '../codec/create-codec.js';
import { messageOf } from '../errors/kcost-error.js';
import { createKafka } from '../kafka/kafka-client.js';
import { kafkaSecurityOf } from '../kafka/kafka-security.js';
import { startHealthServer } from '../lifecycle/health-server.js';
import { servingSecurityOf } from '../lifecycle/http-listener.js';
import { SHUTDOWN_TIMEOUT_MILLIS, stopOnSignals, stopWithin } from '../lifecycle/shutdown.js';
import { createLogger } from '../log/logger.js';
import type { recommendSettings} from './recommend-settings.js';
import { recommenderConfigOf } from './recommend-settings.js';
import { buildRecommender } from './recommender-service.js';

/** Runs `kcost recommend`; its help and settings are in recommend-role.ts. */
export const run: RoleRun<typeof recommendSettings> = async (config) => {
  const logger = createLogger({ service: 'recommend', level: config.logLevel });
  const recommenderConfig = recommenderConfigOf(config);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const kafka = createKafka({ brokers: config.brokers, clientId: config.clientId, logger, security: kafkaSecurityOf(config) });
  const recommender = buildRecommender({ kafka, codec: createCodec({ schemaRegistryUrl: config.schemaRegistryUrl }), logger, registry }, recommenderConfig);
  const health = await startHealthServer({ port: config.healthPort, isReady: () => recommender.ready, registry , security: servingSecurityOf(config, logger) });
  logger.info({ port: health.port }, 'health server listening');
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= recommender.stop().finally(() => health.close()));
  const stopped = stopOnSignals(stop, logger);
  try {
    await recommender.start();
    await Promise.race([stopped, recommender.failure]);
    return 0;
  } catch (error) {
    // Exit rather than linger: a supervisor restarts the process, which resumes from the committed offsets and the changelog.
    logger.error({ err: error }, `recommender failed, exiting for a restart: ${messageOf(error)}`);
    await stopWithin(stop, SHUTDOWN_TIMEOUT_MILLIS, logger).catch((stopError: unknown) => logger.warn({ err: stopError }, 'stopping after the failure failed too'));
    return 1;
  }
};
