import { afterEach, describe, expect, it } from 'vitest';
import type { Consumer, Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { kubeGetJson, loadKubeConfig } from '../../services/collector/kube-connection.js';
import { InformerPodDirectory } from '../../services/collector/usage/informer-pod-directory.js';
import type { UsageClock } from '../../services/collector/usage/usage-clock.js';
import { buildUsageCollector, type UsageCollector } from '../../services/collector/usage/usage-collector.js';
import type { UsageSourceName } from '../../services/collector/usage/usage-observation.js';
import { createUsageSource } from '../../services/collector/usage/usage-source-factory.js';
import type { NodeUsage, UsageSample } from '../../services/codec/records.generated.js';
import { BatchingProducer } from '../../services/kafka/batching-producer.js';
import { samplesOfNodeUsage } from '../../services/kafka/node-usage.js';
import { TOPICS } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { createTestTopics, testCodec, testKafka, uniqueName, waitFor } from '../support/kafka.js';
import { kubeFixture, list, startFakeKubeApi, type FakeKubeApi, type PathScript } from './kube-fake-api.js';

const T0 = Date.parse('2026-01-03T00:00:00Z');
const MINUTE = 60_000;
const KI = 1024;

/**
 * Virtual time: sleep() moves the clock forward at once, so minutes of
 * windows pass in milliseconds; at `until` it stops and waits for the stop.
 */
function virtualClock(start: number, until: number): UsageClock {
  let now = start;
  return {
    now: () => now,
    async sleep(millis, signal) {
      if (now + millis > until) {
        if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        return;
      }
      now += millis;
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

function pod(namespace: string, name: string, uid: string, nodeName: string): unknown {
  return { metadata: { namespace, name, uid, resourceVersion: '1', creationTimestamp: '2026-01-02T00:00:00Z' }, spec: { nodeName, containers: [] }, status: { phase: 'Running' } };
}

describe('kcost collect usage', () => {
  let api: FakeKubeApi | undefined;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;
  let collector: UsageCollector | undefined;
  let directory: InformerPodDirectory | undefined;

  afterEach(async () => {
    await directory?.stop();
    await collector?.stop();
    await consumer?.disconnect();
    await producer?.disconnect();
    await api?.close();
  });

  /**
   * Runs the collector from T0 to `until` against the scripted API and returns the samples that reached Kafka;
   * given `nodeWindows`, it publishes NodeUsage records too, which it adds there, their samples returned with the others.
   */
  async function collect(source: UsageSourceName, script: Record<string, PathScript>, until: number, expected: number, nodeWindows?: NodeUsage[]): Promise<UsageSample[]> {
    api = await startFakeKubeApi(script);
    const kubeConfig = loadKubeConfig({ kubeconfig: api.writeKubeconfig(), context: '' });
    directory = new InformerPodDirectory({ kubeConfig, logger: silentLogger(), backoff: { initialMillis: 20, maxMillis: 200 }, pageSize: 500 });
    await directory.start();
    const kafka = testKafka();
    const [topic, nodeWindowTopic] = await createTestTopics(kafka, [TOPICS.usage, TOPICS.usageNodeWindow]);
    producer = kafka.producer();
    await producer.connect();
    const registry = new Registry();
    const usageSource = createUsageSource(source, { get: (path, signal) => kubeGetJson(kubeConfig, path, signal), directory, logger: silentLogger(), registry, concurrency: 2 });
    collector = buildUsageCollector(
      { source: usageSource, publisher: new BatchingProducer({ producer, codec: testCodec(), logger: silentLogger(), lingerMillis: 5 }), logger: silentLogger(), registry, clock: virtualClock(T0, until) },
      { cluster: 'prod', topic: topic!.name, ...(nodeWindows ? { usageNodeWindowTopic: nodeWindowTopic!.name } : {}), windowSeconds: 60, scrapeIntervalMillis: 15_000, maxGapWindows: 15 },
    );
    const received: UsageSample[] = [];
    consumer = kafka.consumer({ groupId: uniqueName('usage-test') });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic!.name, nodeWindowTopic!.name], fromBeginning: true });
    const codec = testCodec();
    await consumer.run({
      eachMessage: async ({ topic: from, message }) => {
        if (from === topic!.name) received.push(await codec.decodeAs('UsageSample', message.value!));
        else {
          const record = await codec.decodeAs('NodeUsage', message.value!);
          nodeWindows?.push(record);
          received.push(...samplesOfNodeUsage(record));
        }
      },
    });
    void collector.run();
    await waitFor(() => received.length >= expected, 30_000, `${expected} usage samples`);
    return received.sort((a, b) => a.windowStart - b.windowStart || a.podUid.localeCompare(b.podUid) || a.container.localeCompare(b.container));
  }

  it('averages four PodMetrics scrapes per window, reports the unreadable window as a gap, and publishes to Kafka', async () => {
    const metrics = kubeFixture<{ items: Array<{ timestamp: string; containers: Array<{ usage: { cpu: string; memory: string } }> }> }>('k8s-podmetrics-list.json');
    // Scrape i of a window: container c uses cpu[i] × (c+1) millicores and (i+1) × 1000 × (c+1) Ki.
    const cpu = [250, 500, 750, 500];
    const scrape = (window: number, i: number): unknown => {
      const document = structuredClone(metrics);
      for (const item of document.items) {
        item.timestamp = new Date(T0 + window * MINUTE + i * 15_000).toISOString();
        item.containers.forEach((container, c) => (container.usage = { cpu: `${cpu[i]! * (c + 1)}m`, memory: `${(i + 1) * 1000 * (c + 1)}Ki` }));
      }
      return document;
    };
    const samples = await collect(
      'metrics-api',
      {
        '/api/v1/pods': { lists: [list('PodList', '10', [pod('default', 'resource-consumer-pod', 'uid-rc', 'node-a'), pod('kube-system', 'kube-scheduler-minikube', 'uid-ks', 'minikube')])] },
        '/apis/metrics.k8s.io/v1beta1/pods': {
          gets: [scrape(0, 0), scrape(0, 1), scrape(0, 2), scrape(0, 3), 503, 503, 503, 503, scrape(2, 0), scrape(2, 1), 503, 503, scrape(3, 0)],
        },
      },
      T0 + 3 * MINUTE,
      9,
    );
    const row = (s: UsageSample) => [s.windowStart, s.podUid, s.container, s.cpuCoreSeconds, s.memoryWorkingSetAvgBytes, s.memoryWorkingSetMaxBytes, s.gap];
    expect(samples.map(row)).toEqual([
      [T0, 'uid-ks', 'kube-scheduler', 30, 2500 * KI, 4000 * KI, false],
      [T0, 'uid-rc', 'busybox-sidecar', 30, 2500 * KI, 4000 * KI, false],
      [T0, 'uid-rc', 'resource-consumer', 60, 5000 * KI, 8000 * KI, false],
      [T0 + MINUTE, 'uid-ks', 'kube-scheduler', 0, 0, 0, true],
      [T0 + MINUTE, 'uid-rc', 'busybox-sidecar', 0, 0, 0, true],
      [T0 + MINUTE, 'uid-rc', 'resource-consumer', 0, 0, 0, true],
      [T0 + 2 * MINUTE, 'uid-ks', 'kube-scheduler', 22.5, 1500 * KI, 2000 * KI, false],
      [T0 + 2 * MINUTE, 'uid-rc', 'busybox-sidecar', 22.5, 1500 * KI, 2000 * KI, false],
      [T0 + 2 * MINUTE, 'uid-rc', 'resource-consumer', 45, 3000 * KI, 4000 * KI, false],
    ]);
    expect(samples[1]).toEqual({
      cluster: 'prod', namespace: 'default', podUid: 'uid-rc', podName: 'resource-consumer-pod', container: 'busybox-sidecar', nodeName: 'node-a',
      windowStart: T0, windowSeconds: 60, cpuCoreSeconds: 30, memoryWorkingSetAvgBytes: 2500 * KI, memoryWorkingSetMaxBytes: 4000 * KI,
      networkRxBytes: null, networkTxBytes: null, gap: false, source: 'metrics-api',
    });
  });

  it('reads the kubelet summary through the node proxy: CPU from the cumulative counter, network as counter growth', async () => {
    type Summary = { pods: Array<{ containers: Array<{ cpu: { time: string; usageCoreNanoSeconds: number } }>; network: { time: string; rxBytes: number; txBytes: number } }> };
    const summary = kubeFixture<Summary>('kubelet-stats-summary.json');
    // Scrape i: every container has used 0.5 core since the first scrape, every pod received 1000 and sent 10 bytes per scrape.
    const scrape = (i: number): unknown => {
      const document = structuredClone(summary);
      for (const p of document.pods) {
        for (const c of p.containers) {
          c.cpu.time = new Date(T0 + i * 15_000).toISOString();
          c.cpu.usageCoreNanoSeconds += i * 7.5e9;
        }
        p.network = { ...p.network, time: new Date(T0 + i * 15_000).toISOString(), rxBytes: p.network.rxBytes + i * 1000, txBytes: p.network.txBytes + i * 10 };
      }
      return document;
    };
    const samples = await collect(
      'kubelet-summary',
      {
        '/api/v1/pods': {
          lists: [list('PodList', '10', [pod('kube-system', 'kube-state-metrics-57f4659995-6n2qq', 'f89b6c09-11a3-11e8-a084-080027352a02', 'minikube'), pod('kube-system', 'heapster-5mz5f', 'bb142c1b-11a3-11e8-a084-080027352a02', 'minikube')])],
        },
        '/api/v1/nodes/minikube/proxy/stats/summary': { gets: [scrape(0), scrape(1), scrape(2), scrape(3), scrape(4)] },
      },
      T0 + MINUTE,
      3,
    );
    expect(samples.map((s) => [s.podName, s.container, s.networkRxBytes, s.networkTxBytes, s.source, s.nodeName])).toEqual([
      ['heapster-5mz5f', 'heapster', 3000, 30, 'kubelet-summary', 'minikube'],
      ['kube-state-metrics-57f4659995-6n2qq', 'addon-resizer', 3000, 30, 'kubelet-summary', 'minikube'],
      ['kube-state-metrics-57f4659995-6n2qq', 'kube-state-metrics', null, null, 'kubelet-summary', 'minikube'],
    ]);
    for (const sample of samples) expect(sample.cpuCoreSeconds).toBeCloseTo(30, 9);
    expect(samples.map((s) => s.memoryWorkingSetMaxBytes)).toEqual([17_252_352, 6_270_976, 15_110_144]);
    expect(api!.requests.filter((r) => r.includes('/proxy/'))[0]).toBe('/api/v1/nodes/minikube/proxy/stats/summary');
  });

  it('with --usage-node-window-topic, publishes each node window as one NodeUsage record holding its samples', async () => {
    const metrics = kubeFixture<{ items: Array<{ timestamp: string; containers: Array<{ usage: { cpu: string; memory: string } }> }> }>('k8s-podmetrics-list.json');
    const scrape = (i: number): unknown => {
      const document = structuredClone(metrics);
      for (const item of document.items) {
        item.timestamp = new Date(T0 + i * 15_000).toISOString();
        item.containers.forEach((container) => (container.usage = { cpu: '500m', memory: '1000Ki' }));
      }
      return document;
    };
    const records: NodeUsage[] = [];
    const samples = await collect(
      'metrics-api',
      {
        '/api/v1/pods': { lists: [list('PodList', '10', [pod('default', 'resource-consumer-pod', 'uid-rc', 'node-a'), pod('kube-system', 'kube-scheduler-minikube', 'uid-ks', 'minikube')])] },
        '/apis/metrics.k8s.io/v1beta1/pods': { gets: [scrape(0), scrape(1), scrape(2), scrape(3)] },
      },
      T0 + MINUTE,
      3,
      records,
    );
    expect(records.map((r) => [r.cluster, r.nodeName, r.windowStart, r.source, r.containers.map((c) => c.container).sort()]).sort()).toEqual([
      ['prod', 'minikube', T0, 'metrics-api', ['kube-scheduler']],
      ['prod', 'node-a', T0, 'metrics-api', ['busybox-sidecar', 'resource-consumer']],
    ]);
    expect(samples.map((s) => [s.podUid, s.container, s.nodeName, s.cpuCoreSeconds, s.gap])).toEqual([
      ['uid-ks', 'kube-scheduler', 'minikube', 30, false],
      ['uid-rc', 'busybox-sidecar', 'node-a', 30, false],
      ['uid-rc', 'resource-consumer', 'node-a', 30, false],
    ]);
  });
});
