import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../services/cli/main.js';
import { TOPICS } from '../../services/kafka/topics.js';
import { createTestTopics, testBrokers, testCodec, testKafka, uniqueName, waitFor } from '../support/kafka.js';

const book = fileURLToPath(new URL('../fixtures/prices/pricebook.yaml', import.meta.url));

describe('kcost collect prices --once', () => {
  it('publishes a price book through the CLI and exits 0; exits 1 when a source fails', async () => {
    const kafka = testKafka();
    const [spec] = await createTestTopics(kafka, [TOPICS.prices]);
    const topic = spec?.name ?? '';
    const env = { KAFKA_BROKERS: testBrokers().join(',') };
    const quiet = { env, stdout: () => undefined, stderr: () => undefined };
    const args = ['collect', 'prices', '--once', '--sources', 'pricebook', '--prices-topic', topic, '--health-port', '0', '--log-level', 'silent'];
    expect(await main([...args, '--price-book', book], quiet)).toBe(0);

    const codec = testCodec();
    const skus: string[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('prices-role') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void skus.push((await codec.decodeAs('PriceUpdate', message.value ?? Buffer.alloc(0))).sku) });
    try {
      await waitFor(() => skus.length >= 4, 30_000, 'the price book on the topic');
    } finally {
      await consumer.disconnect();
    }
    // Four good entries; the entry with an unknown capacity type was skipped.
    expect(skus.sort()).toEqual(['fast-ssd', 'm5.large', 'nvidia-tesla-t4', 'onprem-large']);

    expect(await main([...args, '--price-book', '/nonexistent/book.yaml'], quiet)).toBe(1);
  });

  it('names the setting when a flag is wrong', async () => {
    const err: string[] = [];
    const code = await main(['collect', 'prices', '--sources', 'aws-pricing,ibm-cloud'], { env: {}, stdout: () => undefined, stderr: (t) => void err.push(t) });
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/--sources.*expected one of aws-pricing, aws-spot, azure-retail, gcp-catalog, pricebook/);
  });
});
