import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Registry } from 'prom-client';
import { defineRole } from '../cli/role.js';
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
import { exporterSettings } from './exporter-settings.js';

/** `kcost export`: serves kube_cost_* Prometheus metrics from the cost topics. */
export const exportRole = defineRole({
  name: 'export',
  usage: 'export [flags]',
  summary: 'Serve cost metrics to Prometheus.',
  description: [
    'Consumes kcost.costs.v1, kcost.node-costs.v1 and kcost.anomalies.v1 (and reads kcost.kube.v1 and kcost.recommendations.v1 whole) and serves on --health-port: /metrics (kube_cost_* series, then the exporter\'s own kube_cost_exporter_* and kcost_* metrics), /healthz and /readyz. No database is read: series are rendered when records arrive and joined on scrape.',
    "Window gauges describe each cluster's latest complete window (kube_cost_window_start_seconds{cluster}): a window is complete once a record of a later window was read and every partition was then read up to its end; all of its pods and nodes have series, and only those, so sum(kube_cost_pod_hourly_usd) is the cluster's cost rate in that window. They are kube_cost_pod_hourly_usd{cluster,namespace,pod,node} (USD per hour), kube_cost_pod_pv_monthly_usd{cluster,namespace,pod}, kube_cost_pv_monthly_usd{cluster,persistentvolume,storage_class} (per persistent volume, USD per 730-hour month, the sum of its pods' shares), kube_cost_spot_savings_hourly_usd{cluster,namespace}, kube_cost_node_hourly_usd{cluster,node,instance_type,capacity_type} and kube_cost_idle_hourly_usd{cluster,node,resource}. Running totals: kube_cost_namespace_daily_usd{cluster,namespace} (cost so far in the current UTC day of the cluster, by window start) and kube_cost_spot_savings_usd_total{cluster,namespace}. Also kube_cost_anomaly_score{cluster,scope,key} and kube_cost_namespace_budget_usd{cluster,namespace}. A window without the cost of a node the served window has (a processor instance behind the others, or a node gone) waits a window, and the one before it is served; records of the served window read after it was sealed are added to it. Redelivered records change nothing; a cluster silent for --series-grace loses its window gauges.",
    'Right-sizing, from kcost.recommendations.v1 (the latest version per key; a tombstone removes the key\'s series; records of a kind this version does not know are skipped): kube_cost_recommendation_monthly_savings_usd{cluster,namespace,workload_kind,workload,container,kind,risk} (what applying the advice saves, USD per 730-hour month over all replicas; negative when it costs more), and, labelled like kube-state-metrics\' kube_pod_container_resource_requests (resource cpu|memory, unit core|byte), the recommended kube_cost_recommendation_container_resource_requests and kube_cost_recommendation_container_resource_limits{cluster,namespace,workload_kind,workload,container,resource,unit} beside the values they would replace, kube_cost_recommendation_current_container_resource_requests and kube_cost_recommendation_current_container_resource_limits; these only for resources whose advice is CHANGE or KEEP, and a limit only where one is set or advised. One series per workload container and resource, never per pod: at most 9 series per recommendation key. Total monthly saving over any number of replicas: sum(namespace:kube_cost_recommendation_monthly_savings_usd:sum). Every other kind of advice (idle workloads, orphaned volumes, DaemonSet-only nodes, and from kcost savings node pools, spot moves, commitments, ARM candidates) is one kube_cost_advice_monthly_savings_usd{cluster,kind,target,namespace,risk} per record (target: the record key after the cluster); records of different kinds may price the same money, and /v1/savings adds them up counting each dollar once.',
    "Budgets ahead of the spend: with --forecast-api-url the exporter fetches every namespace's forecast from kcost api (GET /v1/forecast, every --forecast-refresh) and serves kube_cost_namespace_projected_monthly_usd{cluster,namespace} (the month's whole days so far plus the forecast of the rest, today's forecast replaced by today's spend once that is larger) and kube_cost_namespace_month_to_date_usd{cluster,namespace}; the alerts KcostNamespaceBudgetProjectedOver and KcostNamespaceBudgetExceeded compare them with kube_cost_namespace_budget_usd. The API, not the exporter, holds the daily history a forecast needs.",
    'Each process reads every partition in a consumer group of its own, from --replay-from (at least 10 minutes back), and answers /readyz 503 until it serves every cluster\'s latest complete window. Replicas serve the same series; aggregate them with the recording rules in deploy/prometheus/rules (max by the series\' own labels, from the replicas serving the newest window) rather than a plain sum. With --token or --token-file, /metrics requires Authorization: Bearer <token>; with --metrics-basic-auth-file it accepts basic auth too (the probes need neither). With --tls-cert-file and --tls-key-file it serves HTTPS, reloading the files when they change. Stops cleanly on SIGTERM.',
  ].join('\n\n'),
  settings: exporterSettings,
  async run(config) {
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
  },
});

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
