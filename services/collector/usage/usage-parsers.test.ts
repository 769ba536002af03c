import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseKubeletSummary } from './kubelet-summary-parser.js';
import type { PodDirectory } from './pod-directory.js';
import { parsePodMetricsList } from './podmetrics-parser.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../test/fixtures/kube/${name}`, import.meta.url), 'utf8'));

const directory: PodDirectory = {
  lookup: (namespace, name) => (namespace === 'default' && name === 'resource-consumer-pod' ? { uid: 'uid-rc', nodeName: 'node-a' } : undefined),
  nodes: () => ['node-a'],
  hasPod: () => true,
};

describe('parsePodMetricsList', () => {
  it('reads the fixture: cpu in nanocores and memory in Ki, keyed through the directory', () => {
    const parsed = parsePodMetricsList(fixture('k8s-podmetrics-list.json'), directory);
    expect(parsed.containers).toEqual([
      { namespace: 'default', podName: 'resource-consumer-pod', podUid: 'uid-rc', nodeName: 'node-a', container: 'busybox-sidecar', cpuCores: 0.000066759, cpuTotalCoreSeconds: null, memoryWorkingSetBytes: 920 * 1024, sampledAt: Date.parse('2023-03-03T04:43:12Z') },
      { namespace: 'default', podName: 'resource-consumer-pod', podUid: 'uid-rc', nodeName: 'node-a', container: 'resource-consumer', cpuCores: 0.931979788, cpuTotalCoreSeconds: null, memoryWorkingSetBytes: 41956 * 1024, sampledAt: Date.parse('2023-03-03T04:43:12Z') },
    ]);
    expect(parsed.unknownPods).toBe(1);
    expect(parsed.malformed).toEqual([]);
  });

  it('skips an item with an unreadable quantity and says why', () => {
    const document = fixture('k8s-podmetrics-list.json') as { items: Array<{ containers: Array<{ usage: { cpu: string } }> }> };
    document.items[0]!.containers[0]!.usage.cpu = 'fast';
    const parsed = parsePodMetricsList(document, directory);
    expect(parsed.containers).toEqual([]);
    expect(parsed.malformed).toEqual(['PodMetrics default/resource-consumer-pod: PodMetrics default/resource-consumer-pod container busybox-sidecar cpu: "fast" is not a Kubernetes quantity']);
  });
});

describe('parseKubeletSummary', () => {
  it('reads containers with rate, cumulative CPU and working set, and pod network counters', () => {
    const parsed = parseKubeletSummary(fixture('kubelet-stats-summary.json'), 'minikube');
    expect(parsed.containers.map((c) => [c.podUid, c.container, c.cpuCores, c.cpuTotalCoreSeconds, c.memoryWorkingSetBytes])).toEqual([
      ['f89b6c09-11a3-11e8-a084-080027352a02', 'kube-state-metrics', 0.000941138, 44.40343522, 15_110_144],
      ['f89b6c09-11a3-11e8-a084-080027352a02', 'addon-resizer', 0.000131742, 15.478530064, 6_270_976],
      ['bb142c1b-11a3-11e8-a084-080027352a02', 'heapster', 0.000102351, 15.912744808, 17_252_352],
    ]);
    expect(parsed.containers[0]).toMatchObject({ namespace: 'kube-system', podName: 'kube-state-metrics-57f4659995-6n2qq', nodeName: 'minikube', sampledAt: Date.parse('2018-03-02T13:42:55Z') });
    expect(parsed.networks).toEqual([
      { podUid: 'f89b6c09-11a3-11e8-a084-080027352a02', rxBytes: 32_575_098, txBytes: 27_840_584, sampledAt: Date.parse('2018-03-02T13:42:43Z') },
      { podUid: 'bb142c1b-11a3-11e8-a084-080027352a02', rxBytes: 30_089_073, txBytes: 64_071_831, sampledAt: Date.parse('2018-03-02T13:42:56Z') },
    ]);
  });

  it('reports a document without pods', () => {
    expect(parseKubeletSummary({ node: {} }, 'n1').malformed).toEqual(['node n1: the summary has no pods array']);
  });
});
