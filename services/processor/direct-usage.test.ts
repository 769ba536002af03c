import { describe, expect, it } from 'vitest';
import { partitionOfKey } from '../kafka/key-partition.js';
import { TOPICS, usageDestination } from '../kafka/topics.js';
import { partitionProblem } from './direct-usage-formats.js';
import { usageSample } from './record-builders.js';

const topics = { usage: TOPICS.usage.name, usageByNode: TOPICS.usageByNode.name };
const onNode = usageSample({ podName: 'web', container: 'app', nodeName: 'node-a', windowStart: 0, cpuCores: 1, memoryGib: 1 });
const nodeless = { ...onNode, nodeName: null };

describe('usageDestination', () => {
  it.each([
    ['a sample that names its node goes to the by-node topic, keyed by it', onNode, topics, { topic: topics.usageByNode, key: `${onNode.cluster}/node-a` }],
    ['a sample without a node goes to the usage topic, keyed by pod', nodeless, topics, { topic: topics.usage, key: `${onNode.cluster}/${onNode.podUid}` }],
    ['with no by-node topic, every sample goes to the usage topic, keyed by pod', onNode, { ...topics, usageByNode: '' }, { topic: topics.usage, key: `${onNode.cluster}/${onNode.podUid}` }],
  ])('%s', (_, sample, given, expected) => {
    expect(usageDestination(sample, given)).toEqual(expected);
  });
});

describe('partitionProblem', () => {
  const home = partitionOfKey(`${onNode.cluster}/node-a`, 6);

  it('takes a sample on its node key partition', () => {
    expect(partitionProblem(onNode, home, 6)).toBeNull();
  });

  it.each([
    ['on another partition than its node key', onNode, (home + 1) % 6],
    ['that names no node', nodeless, home],
  ])('refuses a sample %s, which would price outside its node conservation', (_, sample, partition) => {
    expect(partitionProblem(sample, partition, 6)?.code).toBe('MISPARTITIONED_SAMPLE');
  });
});
