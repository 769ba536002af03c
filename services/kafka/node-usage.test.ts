import { describe, expect, it } from 'vitest';
import type { UsageSample } from '../codec/records.generated.js';
import { usageSample } from '../processor/record-builders.js';
import { nodeUsageOf, samplesOfNodeUsage, usageRecordsOf } from './node-usage.js';
import { TOPICS } from './topics.js';

const T0 = Date.UTC(2026, 2, 1, 12);
const sample = (podName: string, container: string, nodeName: string | null, windowStart = T0): UsageSample => ({
  ...usageSample({ podName, container, nodeName, windowStart, cpuCores: 0.25, memoryGib: 0.5, networkTxBytes: container === 'app' ? 1234 : null }),
  source: 'kubelet-summary',
});
const byKey = (a: UsageSample, b: UsageSample) => `${a.windowStart}/${a.podUid}/${a.container}`.localeCompare(`${b.windowStart}/${b.podUid}/${b.container}`);

const window = [
  sample('web', 'app', 'node-a'),
  sample('web', 'proxy', 'node-a'),
  sample('db', 'app', 'node-b'),
  sample('batch', 'app', null),
  sample('api', 'app', 'node-a'),
  sample('web', 'app', 'node-a', T0 + 60_000),
];

describe('nodeUsageOf', () => {
  it('holds each node window once, with its containers in the order they came, and leaves the samples without a node apart', () => {
    const { records, nodeless } = nodeUsageOf(window);
    expect(records.map((r) => [r.nodeName, r.windowStart, r.containers.map((c) => `${c.podName}/${c.container}`)])).toEqual([
      ['node-a', T0, ['web/app', 'web/proxy', 'api/app']],
      ['node-b', T0, ['db/app']],
      ['node-a', T0 + 60_000, ['web/app']],
    ]);
    expect(nodeless).toEqual([window[3]]);
  });

  it('splits a node window of more containers than a record holds', () => {
    const many = Array.from({ length: 5 }, (_, i) => sample(`pod-${i}`, 'app', 'node-a'));
    expect(nodeUsageOf(many, 2).records.map((r) => r.containers.length)).toEqual([2, 2, 1]);
  });
});

describe('samplesOfNodeUsage', () => {
  it('gives back exactly the samples that were grouped, node, window and source included', () => {
    const { records, nodeless } = nodeUsageOf(window);
    expect([...records.flatMap(samplesOfNodeUsage), ...nodeless].sort(byKey)).toEqual([...window].sort(byKey));
  });
});

describe('usageRecordsOf', () => {
  const topics = { usage: TOPICS.usage.name, usageByNode: TOPICS.usageByNode.name, usageNodeWindow: TOPICS.usageNodeWindow.name };

  it('publishes node windows keyed by node, and a sample without a node keyed by pod on the usage topic', () => {
    const records = usageRecordsOf(window, topics);
    expect(records.map((r) => [r.topic, r.key, r.schema])).toEqual([
      [topics.usageNodeWindow, 'prod/node-a', 'NodeUsage'],
      [topics.usageNodeWindow, 'prod/node-b', 'NodeUsage'],
      [topics.usageNodeWindow, 'prod/node-a', 'NodeUsage'],
      [topics.usage, 'prod/uid-batch', 'UsageSample'],
    ]);
  });

  it('without a node-window topic, publishes one record per sample as before', () => {
    const records = usageRecordsOf(window, { ...topics, usageNodeWindow: '' });
    expect(records.map((r) => [r.topic, r.schema])).toEqual(window.map((s) => [s.nodeName ? topics.usageByNode : topics.usage, 'UsageSample']));
  });
});
