import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kafka, Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Codec } from '../../services/codec/codec.js';
import type { KubeObject, PriceUpdate } from '../../services/codec/records.generated.js';
import { KubeScope, watchKubeNodes } from '../../services/collector/prices/kube-scope.js';
import { buildPriceCollector, type PriceCollector } from '../../services/collector/prices/price-collector.js';
import { pricesSettings } from '../../services/collector/prices/prices-settings.js';
import { resolveConfig } from '../../services/config/settings.js';
import { BatchingProducer } from '../../services/kafka/batching-producer.js';
import { TOPICS, kubeObjectKey, priceKey } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { createTestTopics, testCodec, testKafka, topicSize, uniqueName, waitFor } from '../support/kafka.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/prices/${name}`, import.meta.url), 'utf8');

/**
 * A local stand-in for the AWS Pricing (JSON 1.1) and EC2 (query protocol)
 * endpoints, serving the fixtures as two pages each. `pricingFails` makes
 * GetProducts answer 500; `page2` can be replaced to change a price.
 */
class FakeAws {
  pricingFails = false;
  page1 = fixture('aws-pricing-getproducts-ec2.json');
  page2 = fixture('aws-pricing-getproducts-ec2-page2.json');
  readonly calls: Array<{ target: string; body: string }> = [];
  endpoint = '';
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void readBody(req).then((body) => {
        const target = String(req.headers['x-amz-target'] ?? new URLSearchParams(body).get('Action'));
        this.calls.push({ target, body });
        if (target === 'AWSPriceListService.GetProducts') {
          if (this.pricingFails) {
            res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'InternalErrorException', Message: 'price list unavailable' }));
            return;
          }
          const token = (JSON.parse(body) as { NextToken?: string }).NextToken;
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(token ? this.page2 : this.page1);
        } else if (target === 'DescribeSpotPriceHistory') {
          const token = new URLSearchParams(body).get('NextToken');
          res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' }).end(fixture(token ? 'aws-ec2-describe-spot-price-history-page2.xml' : 'aws-ec2-describe-spot-price-history.xml'));
        } else {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.endpoint;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Every record on a topic so far, decoded, read with a fresh consumer group. */
async function readTopic(kafka: Kafka, codec: Codec, topic: string, expected: number): Promise<Array<{ key: string; value: PriceUpdate }>> {
  const consumer = kafka.consumer({ groupId: uniqueName('prices-test') });
  const seen: Array<{ key: string; value: PriceUpdate }> = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push({ key: message.key?.toString() ?? '', value: await codec.decodeAs('PriceUpdate', message.value ?? Buffer.alloc(0)) });
    },
  });
  try {
    await waitFor(() => seen.length >= expected, 30_000, `${expected} prices on ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return seen;
}


const metric = async (registry: Registry, name: string, source: string): Promise<number | undefined> =>
  (await registry.getSingleMetric(name)?.get())?.values.find((v) => v.labels.source === source)?.value;

describe('kcost collect prices, through the real AWS SDK clients and a real Kafka topic', () => {
  const aws = new FakeAws();
  const kafka = testKafka();
  const codec = testCodec();
  const registry = new Registry();
  const now = Date.parse('2024-05-09T00:00:00Z');
  let kafkaProducer: Producer;
  let collector: PriceCollector;
  let topic: string;

  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    const endpoint = await aws.start();
    const [spec] = await createTestTopics(kafka, [TOPICS.prices]);
    topic = spec?.name ?? '';
    kafkaProducer = kafka.producer();
    await kafkaProducer.connect();
    const producer = new BatchingProducer({ producer: kafkaProducer, codec, logger: silentLogger() });
    const { config } = resolveConfig(pricesSettings, {
      argv: ['--sources', 'aws-pricing,aws-spot', '--aws-regions', 'us-east-1', '--aws-endpoint-url', endpoint, '--aws-max-attempts', '1', '--prices-topic', topic, '--aws-instance-types', 'm5.large,m5.xlarge,g4dn.xlarge'],
      env: {},
    });
    collector = buildPriceCollector({ publish: (records) => producer.publish(records), logger: silentLogger(), registry, clock: () => now }, config);
  });

  afterAll(async () => {
    await kafkaProducer?.disconnect();
    await aws.close();
  });

  it('publishes the on-demand prices of both GetProducts pages and every Linux spot history point, and counts the malformed entries', async () => {
    const outcomes = await collector.refreshAll();
    expect(outcomes.map((o) => [o.source, o.ok, o.malformed])).toEqual([['aws-pricing', true, 2], ['aws-spot', true, 0]]);
    // The SDK sent the filters and followed NextToken to the second page.
    const pricingCalls = aws.calls.filter((c) => c.target === 'AWSPriceListService.GetProducts').map((c) => JSON.parse(c.body) as { NextToken?: string; Filters: Array<{ Field: string; Value: string }>; ServiceCode: string });
    expect(pricingCalls).toHaveLength(2);
    expect(pricingCalls[1]?.NextToken).toMatch(/^57r3EXAMPLE/);
    expect(pricingCalls[0]?.ServiceCode).toBe('AmazonEC2');
    expect(Object.fromEntries(pricingCalls[0]?.Filters.map((f) => [f.Field, f.Value]) ?? [])).toEqual({
      regionCode: 'us-east-1', operatingSystem: 'Linux', tenancy: 'Shared', preInstalledSw: 'NA', capacitystatus: 'Used', instanceType: 'm5.large,m5.xlarge,g4dn.xlarge',
    });

    const records = await readTopic(kafka, codec, topic, 8);
    const rows = records.map(({ key, value: p }) => [key, p.capacityType, p.zone, p.hourlyUsd, new Date(p.effectiveFrom).toISOString(), p.source]);
    expect(rows.sort()).toEqual(
      [
        ['aws/us-east-1/NODE/m5.large/ON_DEMAND', 'ON_DEMAND', null, 0.096, '2024-04-01T00:00:00.000Z', 'aws-pricing'],
        ['aws/us-east-1/NODE/m5.xlarge/ON_DEMAND', 'ON_DEMAND', null, 0.192, '2024-04-01T00:00:00.000Z', 'aws-pricing'],
        ['aws/us-east-1/NODE/g4dn.xlarge/ON_DEMAND', 'ON_DEMAND', null, 0.526, '2024-04-01T00:00:00.000Z', 'aws-pricing'],
        ['aws/us-east-1:us-east-1a/NODE/m5.large/SPOT', 'SPOT', 'us-east-1a', 0.0351, '2024-05-08T14:03:52.000Z', 'aws-spot'],
        ['aws/us-east-1:us-east-1a/NODE/m5.large/SPOT', 'SPOT', 'us-east-1a', 0.0376, '2024-05-08T19:02:11.000Z', 'aws-spot'],
        ['aws/us-east-1:us-east-1b/NODE/m5.large/SPOT', 'SPOT', 'us-east-1b', 0.0412, '2024-05-08T18:47:33.000Z', 'aws-spot'],
        ['aws/us-east-1:us-east-1c/NODE/m5.large/SPOT', 'SPOT', 'us-east-1c', 0.0369, '2024-05-08T16:15:40.000Z', 'aws-spot'],
        ['aws/us-east-1:us-east-1b/NODE/m5.xlarge/SPOT', 'SPOT', 'us-east-1b', 0.0748, '2024-05-08T18:30:00.000Z', 'aws-spot'],
      ]
        // The key ends in the effective time, so that compaction keeps every change.
        .map(([series, ...rest]) => [`${String(series)}/${Date.parse(String(rest[3]))}`, ...rest])
        .sort(),
    );
    expect(records.every(({ key, value }) => key === priceKey(value) && value.observedAt === now)).toBe(true);
    // On-demand prices carry the shape the Price List gives (page 2 names no processor: no architecture); spot prices cannot know it.
    const GIB = 1024 ** 3;
    expect(records.map(({ value: p }) => [p.sku, p.capacityType, p.vcpus, p.memoryBytes, p.gpus, p.architecture]).filter(([, capacity]) => capacity === 'ON_DEMAND').sort()).toEqual([
      ['g4dn.xlarge', 'ON_DEMAND', 4, 16 * GIB, 1, null],
      ['m5.large', 'ON_DEMAND', 2, 8 * GIB, 0, 'amd64'],
      ['m5.xlarge', 'ON_DEMAND', 4, 16 * GIB, 0, null],
    ]);
    expect(records.filter(({ value: p }) => p.capacityType === 'SPOT').every(({ value: p }) => [p.vcpus, p.memoryBytes, p.gpus, p.architecture].every((v) => v === null))).toBe(true);
    expect(await metric(registry, 'kcost_price_documents_malformed_total', 'aws-pricing')).toBe(2);
    expect(await metric(registry, 'kcost_price_source_up', 'aws-pricing')).toBe(1);
    expect(await topicSize(kafka, topic)).toBe(8);
  });

  it('keeps the last good prices when the pricing endpoint fails, counts the failure, and publishes only a changed price on recovery', async () => {
    aws.pricingFails = true;
    const failed = await collector.refreshAll();
    expect(failed.map((o) => [o.source, o.ok, o.published])).toEqual([['aws-pricing', false, 0], ['aws-spot', true, 0]]);
    expect(failed[0]?.error).toMatch(/GetProducts for us-east-1 failed/);
    expect(await metric(registry, 'kcost_price_source_up', 'aws-pricing')).toBe(0);
    expect(await metric(registry, 'kcost_price_source_failures_total', 'aws-pricing')).toBe(1);
    expect(collector.runner.lastGoodPrices('aws-pricing').map((p) => [p.sku, p.hourlyUsd])).toEqual([['m5.large', 0.096], ['m5.xlarge', 0.192], ['g4dn.xlarge', 0.526]]);
    // Nothing was republished or erased: the topic still holds exactly the first refresh.
    expect(await topicSize(kafka, topic)).toBe(8);

    aws.pricingFails = false;
    aws.page2 = aws.page2.replace(/0\.1920000000/g, '0.2010000000');
    const recovered = await collector.refreshAll();
    expect(recovered.map((o) => [o.source, o.ok, o.published])).toEqual([['aws-pricing', true, 1], ['aws-spot', true, 0]]);
    expect(await metric(registry, 'kcost_price_source_up', 'aws-pricing')).toBe(1);
    const records = await readTopic(kafka, codec, topic, 9);
    const changed = records.at(-1)?.value;
    // The price changed without a new AWS effectiveDate, so it takes effect when it was observed.
    expect([changed?.sku, changed?.hourlyUsd, changed?.effectiveFrom]).toEqual(['m5.xlarge', 0.201, now]);
  });

  it('with --scope-from-kube, also prices the regions and instance types of the nodes on the kube topic', async () => {
    const [kubeSpec] = await createTestTopics(kafka, [TOPICS.kube]);
    const kubeTopic = kubeSpec?.name ?? '';
    const node = (uid: string, provider: string, region: string, instanceType: string): KubeObject => ({
      cluster: 'c1', kind: 'NODE', uid, name: uid, namespace: null, labels: {}, resourceVersion: '1', createdAt: now, deletedAt: null, observedAt: now, pod: null, volume: null, claim: null, hpa: null, workload: null, disruptionBudget: null,
      node: { provider, providerId: null, instanceType, region, zone: '', capacityType: 'ON_DEMAND', cpuCapacityCores: 8, memoryCapacityBytes: 2 ** 35, gpuCapacity: 0, cpuAllocatableCores: 7.9, memoryAllocatableBytes: 2 ** 34, gpuAllocatable: 0, gpuModel: null },
    });
    const producer = new BatchingProducer({ producer: kafkaProducer, codec, logger: silentLogger() });
    await producer.publish([node('n1', 'aws', 'us-west-2', 'm5.2xlarge'), node('n2', 'gcp', 'us-central1', 'e2-standard-4')].map((value) => ({ topic: kubeTopic, key: kubeObjectKey(value), schema: 'KubeObject' as const, value })));
    await kafkaProducer.send({ topic: kubeTopic, messages: [{ key: 'c1/NODE/garbage', value: Buffer.from('not avro') }] });

    const scope = new KubeScope();
    const watcher = await watchKubeNodes({ kafka, codec, topic: kubeTopic, groupId: uniqueName('prices-scope'), scope, logger: silentLogger() });
    try {
      await watcher.caughtUp;
      const { config } = resolveConfig(pricesSettings, {
        argv: ['--sources', 'aws-pricing', '--aws-regions', 'us-east-1', '--aws-instance-types', 'm5.large', '--aws-endpoint-url', aws.endpoint, '--aws-max-attempts', '1', '--prices-topic', topic, '--scope-from-kube'],
        env: {},
      });
      const scoped = buildPriceCollector({ publish: () => Promise.resolve(), logger: silentLogger(), registry: new Registry(), clock: () => now, kubeScope: scope }, config);
      aws.calls.length = 0;
      const [outcome] = await scoped.refreshAll();
      expect(outcome?.ok).toBe(true);
      const asked = aws.calls.map((c) => Object.fromEntries((JSON.parse(c.body) as { Filters: Array<{ Field: string; Value: string }> }).Filters.map((f) => [f.Field, f.Value])));
      expect([...new Set(asked.map((f) => `${f.regionCode} ${f.instanceType}`))]).toEqual(['us-east-1 m5.large,m5.2xlarge', 'us-west-2 m5.large,m5.2xlarge']);
      expect(scope.scopeFor('gcp', { regions: [], instanceTypes: [] })).toEqual({ regions: ['us-central1'], instanceTypes: ['e2-standard-4'] });
    } finally {
      await watcher.stop();
    }
  });
});
