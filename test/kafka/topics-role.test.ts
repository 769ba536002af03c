import { ConfigResourceTypes } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { main } from '../../services/cli/main.js';
import { TOPICS } from '../../services/kafka/topics.js';
import { internalTopicNames } from '../../services/processor/internal-topics.js';
import { recommenderTopicNames } from '../../services/recommender/internal-topics.js';
import { testBrokers, testKafka, uniqueName } from '../support/kafka.js';

async function kcostTopics(groupId: string): Promise<{ code: number; lines: Array<{ topic: string; cleanup: string; partitions: number; created: boolean }> }> {
  let out = '';
  const code = await main(['topics', '--brokers', testBrokers().join(','), '--processor-group-id', groupId, '--recommender-group-id', `${groupId}-recommend`, '--log-level', 'warn'], {
    env: {},
    stdout: (text) => (out += text),
    stderr: (text) => (out += text),
  });
  return { code, lines: out.trim().split('\n').map((line) => JSON.parse(line) as { topic: string; cleanup: string; partitions: number; created: boolean }) };
}

describe('kcost topics', () => {
  it("creates a processor group's and a recommender group's internal topics ahead of time, partitioned like their input topics, and a second run creates nothing", async () => {
    const groupId = uniqueName('topics-role');
    const names = internalTopicNames(groupId);
    const recommender = recommenderTopicNames(`${groupId}-recommend`);

    const first = await kcostTopics(groupId);
    expect(first.code).toBe(0);
    expect(first.lines.map((l) => l.topic)).toEqual([...Object.values(TOPICS).map((t) => t.name), names.usageByNode, names.costRates, names.anomalyHistory, recommender.byContainer, recommender.history]);
    expect(first.lines.filter((l) => l.topic.startsWith(groupId)).every((l) => l.created)).toBe(true);

    const admin = testKafka().admin();
    await admin.connect();
    try {
      const [usage, byNode, costRates, history, publicByNode, nodeWindow] = (
        await admin.fetchTopicMetadata({ topics: [TOPICS.usage.name, names.usageByNode, names.costRates, names.anomalyHistory, TOPICS.usageByNode.name, TOPICS.usageNodeWindow.name] })
      ).topics;
      // The public usage topics keyed by node too: the pricing stage reads partition p of each with by-node partition p.
      for (const topic of [byNode, costRates, history, publicByNode, nodeWindow]) expect(topic?.partitions.length).toBe(usage?.partitions.length);
      const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: names.anomalyHistory, configNames: ['cleanup.policy'] }] });
      expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('compact');
      const [costs, byContainer, recommenderHistory] = (await admin.fetchTopicMetadata({ topics: [TOPICS.costs.name, recommender.byContainer, recommender.history] })).topics;
      for (const topic of [byContainer, recommenderHistory]) expect(topic?.partitions.length).toBe(costs?.partitions.length);
      const historyConfig = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: recommender.history, configNames: ['cleanup.policy'] }] });
      expect(historyConfig.resources[0]?.configEntries[0]?.configValue).toBe('compact');
    } finally {
      await admin.disconnect();
    }

    // Safe to repeat.
    const second = await kcostTopics(groupId);
    expect(second.code).toBe(0);
    expect(second.lines.some((l) => l.created)).toBe(false);
  });
});
