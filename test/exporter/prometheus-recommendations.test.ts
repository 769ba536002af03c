import { join } from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { Recommendation } from '../../services/codec/records.generated.js';
import { buildExporter, type Exporter } from '../../services/exporter/exporter.js';
import { BatchingProducer } from '../../services/kafka/batching-producer.js';
import { DeadLetterPublisher } from '../../services/kafka/dead-letter.js';
import { createProducer } from '../../services/kafka/kafka-client.js';
import { createConsumerMetrics } from '../../services/kafka/kafka-metrics.js';
import { TOPICS, type TopicSpec } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { REPO } from '../deploy/repo.js';
import { adviseCluster } from '../../services/savings/cluster-savings.js';
import { SMALL_CLUSTER_OPTIONS, smallCluster } from '../fixtures/savings/small-cluster.js';
import { recommendation } from '../fixtures/storage/recommendations.js';
import { createTestTopics, testCodec, testKafka, uniqueName, waitFor } from '../support/kafka.js';
import { freePort, hasPrometheus, startPrometheus, type PrometheusServer } from './prometheus-server.js';

const RULES = join(REPO, 'deploy/prometheus/rules/kcost.rules.yml');
const NAMESPACES = ['shop', 'search', 'batch'];
const T = Date.UTC(2026, 11, 6, 12, 0);

/** Thirty workload containers' advice, savings of 1 to 30 USD a month (cart-0's negative: it needs more). */
function advice(version: number): Recommendation[] {
  return Array.from({ length: 30 }, (_, i) =>
    recommendation({
      target: { cluster: 'prod', namespace: NAMESPACES[i % 3] as string, workloadName: `${i === 0 ? 'cart' : 'web'}-${i}`, container: i % 2 === 0 ? 'app' : 'sidecar' },
      generatedAt: T + version * 3_600_000,
      savingUsd: i === 0 ? -5 : i + version,
      risk: (['LOW', 'MEDIUM', 'HIGH'] as const)[(i + version) % 3],
      cpu: { recommendedRequest: 0.1 + i / 100 },
    }),
  );
}

const savingsByNamespace = (records: readonly Recommendation[]) => {
  const out: Record<string, number> = {};
  for (const r of records) {
    const namespace = r.workloadResources?.target.namespace ?? '';
    out[namespace] = (out[namespace] ?? 0) + r.saving.monthlySavingsUsd;
  }
  return out;
};

describe.skipIf(!hasPrometheus())('Prometheus scraping two exporters that serve right-sizing advice', () => {
  const stops: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  });

  it("counts every workload container and every cluster-savings record once in the README's queries, follows new versions and drops tombstoned ones", async () => {
    const kafka: Kafka = testKafka('kcost-export-recommendations');
    const codec = testCodec();
    const [recommendations, deadLetter] = (await createTestTopics(kafka, [TOPICS.recommendations, TOPICS.deadLetter])) as [TopicSpec, TopicSpec];
    const raw: Producer = createProducer(kafka);
    await raw.connect();
    stops.push(() => raw.disconnect());
    const producer = new BatchingProducer({ producer: raw, codec, logger: silentLogger() });
    const publish = (records: readonly Recommendation[]) => producer.publish(records.map((value) => ({ topic: recommendations.name, key: value.key, schema: 'Recommendation', value })));

    const first = advice(0);
    // Beside the containers' advice, kcost savings' cluster advice (node pools, spot, commitments, ARM) from the small cluster.
    const cluster = adviseCluster(smallCluster(), SMALL_CLUSTER_OPTIONS);
    await publish([...first, ...cluster]);

    const ports = [await freePort(), await freePort()];
    const exporters: Exporter[] = [];
    for (const port of ports) {
      const registry = new Registry();
      const consumerMetrics = createConsumerMetrics(registry);
      const exporter = buildExporter(
        {
          kafka,
          codec,
          deadLetters: new DeadLetterPublisher({ producer, service: 'export', counter: consumerMetrics.deadLetters, logger: silentLogger(), topic: deadLetter.name }),
          consumerMetrics,
          registry,
          logger: silentLogger(),
        },
        { groupId: uniqueName('kcost-export-recommendations'), costsTopic: '', nodeCostsTopic: '', anomaliesTopic: '', kubeTopic: '', recommendationsTopic: recommendations.name, replayFrom: 'latest', graceMillis: 300_000, port, host: '127.0.0.1', token: '' },
      );
      await exporter.start();
      stops.push(() => exporter.stop());
      exporters.push(exporter);
    }
    await waitFor(() => exporters.every((e) => e.isReady()), 30_000, 'both exporters to read the advice');

    const prometheus: PrometheusServer = await startPrometheus({ targets: ports.map((p) => `127.0.0.1:${p}`), ruleFiles: [RULES], jobName: 'kcost-exporter', scrapeIntervalSeconds: 1 });
    stops.push(() => prometheus.stop());
    const instant = async (expr: string): Promise<Array<{ metric: Readonly<Record<string, string>>; value: number }>> => {
      const at = Math.floor(Date.now() / 1000);
      return (await prometheus.range(expr, at, at, 1)).map((s) => ({ metric: s.metric, value: s.values[0]?.[1] ?? Number.NaN }));
    };
    const scalar = async (expr: string) => (await instant(expr))[0]?.value;
    const byNamespace = async (): Promise<Record<string, number>> =>
      Object.fromEntries((await instant('namespace:kube_cost_recommendation_monthly_savings_usd:sum')).map((s): [string, number] => [s.metric.namespace ?? '', s.value]));
    const close = (actual: Record<string, number>, expected: Record<string, number>) =>
      Object.keys(expected).length === Object.keys(actual).length && Object.entries(expected).every(([k, v]) => Math.abs((actual[k] ?? Number.NaN) - v) < 1e-9);

    const total = (records: readonly Recommendation[]) => records.reduce((sum, r) => sum + r.saving.monthlySavingsUsd, 0);
    // Both targets scraped (the recording rule alone is right from one replica already), and the rule evaluated since.
    await waitFor(
      async () => (await scalar('count(kube_cost_recommendation_monthly_savings_usd)')) === 2 * first.length && (await scalar('sum(namespace:kube_cost_recommendation_monthly_savings_usd:sum)')) === total(first),
      30_000,
      'both exporters scraped and the recorded savings',
    );
    expect(await byNamespace()).toEqual(savingsByNamespace(first));
    // The README's query for the cluster advice: one series per record, whichever replica served it.
    const clusterAdvice = await instant('max by (cluster, kind, target) (kube_cost_advice_monthly_savings_usd)');
    expect(clusterAdvice.map((s) => `${s.metric.cluster}/${s.metric.target}`).sort()).toEqual(cluster.map((r) => r.key).sort());
    for (const record of cluster) expect(clusterAdvice.find((s) => `${s.metric.cluster}/${s.metric.target}` === record.key)?.value, record.key).toBeCloseTo(record.saving.monthlySavingsUsd, 9);
    expect(new Set(clusterAdvice.map((s) => s.metric.kind))).toEqual(new Set(cluster.map((r) => r.kind)));
    // Both replicas serve every container: a plain sum would count each twice.
    expect(await scalar('sum(kube_cost_recommendation_monthly_savings_usd)')).toBeCloseTo(2 * total(first), 9);
    // One series per container and resource on each replica, never more.
    expect(await scalar('count(kube_cost_recommendation_container_resource_requests)')).toBe(2 * 2 * first.length);
    const ratios = await instant(
      'max by (cluster, namespace, workload_kind, workload, container, resource) (kube_cost_recommendation_container_resource_requests) / max by (cluster, namespace, workload_kind, workload, container, resource) (kube_cost_recommendation_current_container_resource_requests)',
    );
    expect(ratios).toHaveLength(2 * first.length);
    expect(ratios.find((r) => r.metric.workload === 'web-7' && r.metric.resource === 'cpu')?.value).toBeCloseTo(0.17, 9);

    // A newer version of every container but one (its risk labels move), and five targets retired by tombstones.
    const second = advice(1).slice(1);
    const retired = second.slice(0, 5);
    await publish(second);
    await raw.send({ topic: recommendations.name, messages: retired.map((r) => ({ key: r.key, value: null })) });
    const kept = [first[0] as Recommendation, ...second.slice(5)];
    // Until both targets are scraped again, one still serves the retired containers and the old risk labels.
    await waitFor(
      async () => close(await byNamespace(), savingsByNamespace(kept)) && (await scalar('count(kube_cost_recommendation_monthly_savings_usd)')) === 2 * kept.length,
      30_000,
      'the new versions and tombstones in the recorded savings, from both exporters',
    );
    expect(await scalar('sum(namespace:kube_cost_recommendation_monthly_savings_usd:sum)')).toBeCloseTo(total(kept), 9);
    expect(await scalar('count(kube_cost_recommendation_monthly_savings_usd)')).toBe(2 * kept.length);
    expect(await scalar('count(kube_cost_recommendation_container_resource_requests)')).toBe(2 * 2 * kept.length);
  }, 120_000);
});
