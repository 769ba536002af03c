import { join } from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { Codec } from '../../services/codec/codec.js';
import type { NodeCost, PodCost } from '../../services/codec/records.generated.js';
import { buildExporter, type Exporter } from '../../services/exporter/exporter.js';
import { BatchingProducer } from '../../services/kafka/batching-producer.js';
import { DeadLetterPublisher } from '../../services/kafka/dead-letter.js';
import { createProducer } from '../../services/kafka/kafka-client.js';
import { createConsumerMetrics } from '../../services/kafka/kafka-metrics.js';
import { nodeKey, podKey, TOPICS, type TopicSpec } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { REPO } from '../deploy/repo.js';
import { createTestTopics, testCodec, testKafka, uniqueName, waitFor } from '../support/kafka.js';
import { freePort, hasPrometheus, startPrometheus, type PrometheusServer, type RawSeries } from './prometheus-server.js';
import { MINUTE, nodeCost, podCost } from './records.js';

const RULES = join(REPO, 'deploy/prometheus/rules/kcost.rules.yml');
const JOB = 'kcost-exporter';
const NAMESPACES = ['shop', 'search', 'batch', 'data'];
const NODES = ['node-a', 'node-b', 'node-spot'];
/** A new window every this many milliseconds of wall time (event time moves a minute each). */
const WINDOW_EVERY_MILLIS = 1500;

/** A small deterministic generator (mulberry32), so a failure replays with the same cluster. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface LivePod {
  readonly uid: string;
  readonly name: string;
  readonly namespace: string;
  readonly node: string;
  readonly containers: readonly string[];
}

/**
 * A cluster with pod churn, published the way the processor publishes it:
 * each window's PodCost and NodeCost records in one Kafka transaction. Every
 * window four pods go and four new ones come, and every cost changes. Keeps,
 * per window start (seconds), what the records add up to per hour.
 */
class ChurningCluster {
  readonly hourlyUsd = new Map<number, number>();
  readonly spotSavingsHourlyUsd = new Map<number, number>();
  /** Pod names per window start (seconds). */
  readonly podNames = new Map<number, string[]>();
  private readonly next = random(12);
  private pods: LivePod[] = [];
  private serial = 0;
  private window = 0;

  constructor(
    private readonly producer: Producer,
    private readonly codec: Codec,
    private readonly topics: { costs: string; nodeCosts: string },
    private readonly firstWindowStart: number,
  ) {
    for (let i = 0; i < 40; i++) this.pods.push(this.newPod());
  }

  async publishWindow(): Promise<void> {
    const windowStart = this.firstWindowStart + this.window * MINUTE;
    this.window++;
    if (this.window > 1) {
      for (let i = 0; i < 4; i++) this.pods.splice(Math.floor(this.next() * this.pods.length), 1);
      for (let i = 0; i < 4; i++) this.pods.push(this.newPod());
    }
    const podCosts: PodCost[] = [];
    for (const pod of this.pods) {
      for (const container of pod.containers) {
        const spot = pod.node === 'node-spot';
        const totalCostUsd = 0.0002 + this.next() * 0.002;
        podCosts.push(
          podCost({
            cluster: 'prod', podUid: pod.uid, podName: pod.name, namespace: pod.namespace, nodeName: pod.node, container, windowStart, windowSeconds: 60,
            cpuCostUsd: totalCostUsd * 0.7, memoryCostUsd: totalCostUsd * 0.3, totalCostUsd,
            capacityType: spot ? 'SPOT' : 'ON_DEMAND', spotSavingsUsd: spot ? totalCostUsd * 2 : 0, onDemandCostUsd: spot ? totalCostUsd * 3 : totalCostUsd,
          }),
        );
      }
    }
    const nodeCosts: NodeCost[] = NODES.map((nodeName) => nodeCost({ cluster: 'prod', nodeName, windowStart, capacityType: nodeName === 'node-spot' ? 'SPOT' : 'ON_DEMAND' }));
    const transaction = await this.producer.transaction();
    try {
      await transaction.sendBatch({
        topicMessages: [
          { topic: this.topics.costs, messages: await Promise.all(podCosts.map(async (value) => ({ key: podKey(value), value: await this.codec.encode('PodCost', value) }))) },
          { topic: this.topics.nodeCosts, messages: await Promise.all(nodeCosts.map(async (value) => ({ key: nodeKey(value), value: await this.codec.encode('NodeCost', value) }))) },
        ],
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort();
      throw error;
    }
    this.hourlyUsd.set(windowStart / 1000, podCosts.reduce((sum, c) => sum + c.totalCostUsd * 60, 0));
    this.spotSavingsHourlyUsd.set(windowStart / 1000, podCosts.reduce((sum, c) => sum + c.spotSavingsUsd * 60, 0));
    this.podNames.set(windowStart / 1000, this.pods.map((p) => p.name).sort());
  }

  private newPod(): LivePod {
    const n = this.serial++;
    return {
      uid: `uid-${n}`,
      name: `pod-${n}`,
      namespace: NAMESPACES[n % NAMESPACES.length] as string,
      node: NODES[Math.floor(this.next() * NODES.length)] as string,
      containers: n % 3 === 0 ? ['app', 'sidecar'] : ['app'],
    };
  }
}

/** Sums, per (target, timestamp), the raw samples of the series given: one figure per scrape or rule evaluation. */
function sumPerSample(series: readonly RawSeries[], by: (metric: Readonly<Record<string, string>>) => string): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const s of series) {
    const key = by(s.metric);
    let perTime = out.get(key);
    if (!perTime) {
      perTime = new Map<number, number>();
      out.set(key, perTime);
    }
    for (const [t, v] of s.values) perTime.set(t, (perTime.get(t) ?? 0) + v);
  }
  return out;
}

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe.skipIf(!hasPrometheus())('Prometheus scraping one and two exporters across restarts and pod churn', () => {
  const stops: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  });

  it('sees sum(kube_cost_pod_hourly_usd) of every scrape and the recording rules equal the records of the window they describe', async () => {
    const kafka: Kafka = testKafka('kcost-export-prometheus');
    const codec = testCodec();
    const [costs, nodeCosts, deadLetter] = (await createTestTopics(kafka, [TOPICS.costs, TOPICS.nodeCosts, TOPICS.deadLetter])) as [TopicSpec, TopicSpec, TopicSpec];
    const transactional = createProducer(kafka, { transactionalId: uniqueName('kcost-export-prometheus-tx') });
    await transactional.connect();
    stops.push(() => transactional.disconnect());
    const plain = createProducer(kafka);
    await plain.connect();
    stops.push(() => plain.disconnect());

    const ports = { a: await freePort(), b: await freePort() };
    const startExporter = async (port: number): Promise<Exporter> => {
      const registry = new Registry();
      const consumerMetrics = createConsumerMetrics(registry);
      const exporter = buildExporter(
        {
          kafka,
          codec,
          deadLetters: new DeadLetterPublisher({ producer: new BatchingProducer({ producer: plain, codec, logger: silentLogger() }), service: 'export', counter: consumerMetrics.deadLetters, logger: silentLogger(), topic: deadLetter.name }),
          consumerMetrics,
          registry,
          logger: silentLogger(),
        },
        { groupId: uniqueName('kcost-export-prometheus'), costsTopic: costs.name, nodeCostsTopic: nodeCosts.name, anomaliesTopic: '', kubeTopic: '', replayFrom: 'today', graceMillis: 5 * MINUTE, port, host: '127.0.0.1', token: '' },
      );
      await exporter.start();
      stops.push(() => exporter.stop());
      return exporter;
    };

    // Event time an hour and a half back, a minute per window: the cluster runs fast, and entirely in the past.
    const cluster = new ChurningCluster(transactional, codec, { costs: costs.name, nodeCosts: nodeCosts.name }, Math.floor(Date.now() / MINUTE) * MINUTE - 90 * MINUTE);
    let feeding = true;
    const feeder = (async () => {
      while (feeding) {
        await cluster.publishWindow();
        await new Promise((resolve) => setTimeout(resolve, WINDOW_EVERY_MILLIS));
      }
    })();
    stops.push(async () => {
      feeding = false;
      await feeder;
    });

    const prometheus: PrometheusServer = await startPrometheus({ targets: [`127.0.0.1:${ports.a}`, `127.0.0.1:${ports.b}`], ruleFiles: [RULES], jobName: JOB, scrapeIntervalSeconds: 1 });
    stops.push(() => prometheus.stop());
    const startedAt = Date.now() / 1000;
    const pause = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));
    const readyAfterMillis: number[] = [];
    const startReady = async (port: number, what: string): Promise<Exporter> => {
      const from = Date.now();
      const exporter = await startExporter(port);
      await waitFor(() => exporter.isReady(), 30_000, what);
      readyAfterMillis.push(Date.now() - from);
      return exporter;
    };

    // One exporter, then that exporter restarted while alone.
    let a = await startReady(ports.a, 'exporter a');
    await pause(7000);
    await a.stop();
    a = await startReady(ports.a, 'exporter a, restarted');
    await pause(7000);
    // A second exporter started beside the running one.
    await startReady(ports.b, 'exporter b');
    const bothFrom = Date.now() / 1000 + 2;
    await pause(8000);
    // The first restarted while the second runs on.
    await a.stop();
    a = await startReady(ports.a, 'exporter a, restarted beside b');
    await pause(8000);
    // Every query reads up to the same instant, so each sees the same scrapes and rule evaluations, though Prometheus runs on.
    const endedAt = Date.now() / 1000;
    const seconds = Math.ceil(endedAt - startedAt) + 5;
    const raw = (selector: string) => prometheus.rawSamples(selector, seconds, endedAt);
    // ... and after the last scrape and evaluation before that instant have been stored whole.
    await pause(2000);

    // Every scrape of every exporter: the sum of its pod series against the records of the window it says it shows.
    const podSeries = await raw('kube_cost_pod_hourly_usd');
    const podSums = sumPerSample(podSeries, (m) => m.instance ?? '');
    const podsScraped = new Map<string, string[]>();
    for (const series of podSeries) for (const [t] of series.values) podsScraped.set(`${series.metric.instance}@${t}`, [...(podsScraped.get(`${series.metric.instance}@${t}`) ?? []), series.metric.pod ?? '']);
    const windows = sumPerSample(await raw('kube_cost_window_start_seconds'), (m) => m.instance ?? '');
    let scrapes = 0;
    let worst = 0;
    const windowsSeen = new Set<number>();
    for (const [instance, perScrape] of podSums) {
      const windowOf = windows.get(instance) ?? new Map<number, number>();
      for (const [t, sum] of perScrape) {
        const window = windowOf.get(t);
        expect(window, `${instance} at ${t}: pod series without a window`).toBeDefined();
        const expected = cluster.hourlyUsd.get(window as number);
        expect(expected, `${instance} at ${t}: window ${window} was never published`).toBeDefined();
        worst = Math.max(worst, relativeError(sum, expected as number));
        expect(relativeError(sum, expected as number), `${instance} at ${t}: window ${window}, ${sum} against ${expected}`).toBeLessThan(0.01);
        // Those pods, and only those: none that churned out of the window, none of a later one.
        expect(podsScraped.get(`${instance}@${t}`)?.sort(), `${instance} at ${t}: pods`).toEqual(cluster.podNames.get(window as number));
        windowsSeen.add(window as number);
        scrapes++;
      }
    }
    expect([...podSums.keys()].sort()).toEqual([`127.0.0.1:${ports.a}`, `127.0.0.1:${ports.b}`].sort());
    expect(scrapes).toBeGreaterThan(40);
    expect(windowsSeen.size).toBeGreaterThan(10);

    // Every rule evaluation: the namespace sums and the cluster sum against the records of the newest window served.
    const byTime = (m: Readonly<Record<string, string>>) => m.cluster ?? '';
    const namespaceSums = sumPerSample(await raw('namespace:kube_cost_hourly_usd:sum'), byTime).get('prod') ?? new Map<number, number>();
    const clusterSums = sumPerSample(await raw('cluster:kube_cost_hourly_usd:sum'), byTime).get('prod') ?? new Map<number, number>();
    const savings = sumPerSample(await raw('namespace:kube_cost_spot_savings_hourly_usd:max'), byTime).get('prod') ?? new Map<number, number>();
    const ruleWindows = sumPerSample(await raw('cluster:kube_cost_window_start_seconds:max'), byTime).get('prod') ?? new Map<number, number>();
    let evaluations = 0;
    for (const [t, window] of ruleWindows) {
      const expected = cluster.hourlyUsd.get(window) as number;
      for (const [name, figures, wanted] of [
        ['namespace:kube_cost_hourly_usd:sum', namespaceSums, expected],
        ['cluster:kube_cost_hourly_usd:sum', clusterSums, expected],
        ['namespace:kube_cost_spot_savings_hourly_usd:max', savings, cluster.spotSavingsHourlyUsd.get(window) as number],
      ] as const) {
        const actual = figures.get(t);
        expect(actual, `${name} at ${t}`).toBeDefined();
        worst = Math.max(worst, relativeError(actual as number, wanted));
        expect(relativeError(actual as number, wanted), `${name} at ${t}: window ${window}, ${actual} against ${wanted}`).toBeLessThan(0.01);
      }
      evaluations++;
    }
    expect(evaluations).toBeGreaterThan(20);
    // With two replicas, one restarting does not leave the rules without a figure: one at every evaluation.
    const evaluationTimes = [...ruleWindows.keys()].filter((t) => t >= bothFrom).sort((x, y) => x - y);
    expect(evaluationTimes.length).toBeGreaterThan(10);
    for (let i = 1; i < evaluationTimes.length; i++) expect((evaluationTimes[i] as number) - (evaluationTimes[i - 1] as number), `gap before ${evaluationTimes[i]}`).toBeLessThan(1.6);

    // The README's questions, as a user's dashboard asks them: total monthly cost and spot savings %, every second.
    const step = async (query: string): Promise<Map<number, number>> => new Map((await prometheus.range(query, Math.ceil(startedAt), Math.floor(endedAt), 1))[0]?.values ?? []);
    const monthly = await step('sum(cluster:kube_cost_hourly_usd:sum) * 730');
    const percent = await step('100 * sum(namespace:kube_cost_spot_savings_hourly_usd:max) / (sum(namespace:kube_cost_hourly_usd:sum) + sum(namespace:kube_cost_spot_savings_hourly_usd:max))');
    const windowAt = await step('max(cluster:kube_cost_window_start_seconds:max)');
    expect(windowAt.size).toBeGreaterThan(20);
    for (const [t, window] of windowAt) {
      const hourly = cluster.hourlyUsd.get(window) as number;
      const saved = cluster.spotSavingsHourlyUsd.get(window) as number;
      expect(relativeError(monthly.get(t) as number, hourly * 730), `monthly at ${t}`).toBeLessThan(0.01);
      expect(relativeError(percent.get(t) as number, (100 * saved) / (hourly + saved)), `spot % at ${t}`).toBeLessThan(0.01);
    }
    console.log(`prometheus e2e over ${Math.round(endedAt - startedAt)} s: ${scrapes} exporter scrapes with pod series, ${evaluations} rule evaluations with figures (${evaluationTimes.length} while two ran), ${windowsSeen.size} windows served, worst relative error ${worst.toExponential(2)}; ready ${readyAfterMillis.join(', ')} ms after each start`);
  }, 120_000);
});
