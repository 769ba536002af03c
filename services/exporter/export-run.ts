import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Registry } from 'prom-client';
import type { RoleRun } from '../cli/role.js';
import { createCodec } from '../codec/create-codec.js';
import { KcostError, messageOf } from '../errors/kcost-error.js';
import { BatchingProducer } from '../kafka/batching-producer.js';
import { DeadLetterPublisher } from '../kafka/dead-letter.js';
import { createKafka, createProducer } from '../kafka/kafka-client.js';
import { kafkaSecurityOf } from '../kafka/kafka-security.js';
import { createConsumerMetrics } from '../kafka/kafka-metrics.js';
import { readScrapeCredentials } from '../lifecycle/scrape-auth.js';
import { stopOnSignals } from '../lifecycle/shutdown.js';
import { tlsFilesOf } from '../lifecycle/tls-files.js';
import { createLogger } from '../log/logger.js';
import { buildExporter } from './exporter.js';
import { pollForecasts } from './forecast-source.js';
import type { exporterSettings } from './exporter-settings.js';

/** Runs `kcost export`; its help and settings are in export-role.ts. */
export const run: RoleRun<typeof exporterSettings> = async (config) => {
  const logger = createLogger({ service: 'export', level: config.logLevel });
  if (config.tokenFile !== '' && config.metricsTokenFile !== '') throw new KcostError('INVALID_CONFIG', 'give either --token-file or --metrics-token-file (the same thing for the exporter), not both');
  const token = await readToken(config.token, config.tokenFile || config.metricsTokenFile);
  const { basic } = readScrapeCredentials('', config.metricsBasicAuthFile);
  const tls = tlsFilesOf(config);
  const registry = new Registry();
  const kafka = createKafka({ brokers: config.brokers, clientId: config.clientId, logger, security: kafkaSecurityOf(config) });
  const producer = createProducer(kafka);
  const codec = createCodec({ schemaRegistryUrl: config.schemaRegistryUrl });
  const consumerMetrics = createConsumerMetrics(registry);
  await producer.connect();
  try {
    const deadLetters = new DeadLetterPublisher({
      producer: new BatchingProducer({ producer, codec, logger }),
      service: 'export',
      counter: consumerMetrics.deadLetters,
      logger,
      topic: config.deadLetterTopic,
    });
    const exporter = buildExporter(
      { kafka, codec, deadLetters, consumerMetrics, registry, logger },
      {
        groupId: config.groupId === '' ? `kcost-export-${hostname()}-${randomUUID().slice(0, 8)}` : config.groupId,
        costsTopic: config.costsTopic,
        nodeCostsTopic: config.nodeCostsTopic,
        anomaliesTopic: config.anomaliesTopic,
        kubeTopic: config.kubeTopic,
        recommendationsTopic: config.recommendationsTopic,
        replayFrom: config.replayFrom,
        graceMillis: config.seriesGrace,
        port: config.healthPort,
        token,
        ...(basic ? { basicAuth: basic } : {}),
        ...(tls ? { tls } : {}),
      },
    );
    let forecasts: { stop(): void } | undefined;
    const stopped = stopOnSignals(() => {
      forecasts?.stop();
      return exporter.stop();
    }, logger);
    await exporter.start();
    if (config.forecastApiUrl !== '') {
      const source = { apiUrl: config.forecastApiUrl, token: config.forecastApiToken, history: config.forecastHistory, refreshMillis: config.forecastRefresh };
      forecasts = pollForecasts(source, (list) => exporter.store.applyForecasts(list), logger);
    }
    await stopped;
    return 0;
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
};

async function readToken(token: string, tokenFile: string): Promise<string> {
  if (tokenFile === '') return token.trim();
  try {
    const fromFile = (await readFile(tokenFile, 'utf8')).trim();
    if (fromFile === '') throw new Error('the file is empty');
    return fromFile;
  } catch (error) {
    throw new KcostError('INVALID_CONFIG', `cannot read the bearer token from --token-file ${tokenFile}: ${messageOf(error)}`);
  }
}
