import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKcost, startKcost, type KcostProcess } from '../../bench/kcost-process.js';
import type { DeadLetter } from '../../services/codec/records.generated.js';
import { migrate } from '../../services/db/migrations.js';
import { pgSqlClient } from '../../services/db/sql-client.js';
import { TOPICS, type TopicSpec } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { syntheticBill, type BilledMachine } from '../../services/simulator/synthetic-bill.js';
import { cur2Rows, CUR2_COLUMNS, focusRows, FOCUS_COLUMNS, toCsv, type BillRow } from '../../services/simulator/synthetic-bill-files.js';
import { createTestDatabase } from '../support/database.js';
import { createTestTopics, testBrokers, testCodec, testKafka, uniqueName, waitFor } from '../support/kafka.js';
import { testConsumer } from '../support/pipeline.js';
import { freePort, isReady } from '../support/ports.js';
import { S3_TEST_CREDENTIALS, startS3Server } from '../support/s3-server.js';

const DAY = 86_400_000;
const MONTH = Date.UTC(2026, 10, 1);
const codec = testCodec();
const logger = silentLogger();
const stopped = async (run: KcostProcess) => {
  run.child.kill('SIGTERM');
  return run.exited;
};
const machines: BilledMachine[] = [
  { providerId: 'aws:///us-east-1a/i-0bbb000000000001', instanceType: 'm5.xlarge', zone: 'us-east-1a', capacityType: 'ON_DEMAND', onDemandHourlyUsd: 0.192, upFrom: MONTH - DAY, upTo: null },
  { providerId: 'aws:///us-east-1b/i-0bbb000000000002', instanceType: 'm5.2xlarge', zone: 'us-east-1b', capacityType: 'ON_DEMAND', onDemandHourlyUsd: 0.384, upFrom: MONTH - DAY, upTo: null },
  { providerId: 'aws:///us-east-1a/i-0bbb000000000003', instanceType: 'c5.xlarge', zone: 'us-east-1a', capacityType: 'SPOT', onDemandHourlyUsd: 0.17, upFrom: MONTH - DAY, upTo: null },
];
// Two accounts, so the FOCUS and the CUR 2.0 export of the same cluster are not the same money twice.
const focusBill = syntheticBill({ seed: 11, cluster: 'sim', monthStart: MONTH, machines, accountId: '111111111111' });
const curBill = syntheticBill({ seed: 12, cluster: 'sim', monthStart: MONTH, machines, accountId: '222222222222' });
const cents = (usd: number) => Math.round(usd * 100);
const sumOf = (charges: typeof focusBill.finalDelivery) => cents(charges.reduce((s, c) => s + c.effectiveCost, 0));

describe('kcost collect bill → kcost.billing.v1 → kcost sink → billing_line', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let billing: TopicSpec;
  let deadLetter: TopicSpec;
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  let sink: KcostProcess;
  const work = mkdtempSync(join(tmpdir(), 'kcost-bill-'));
  const exports = join(work, 'exports');
  const focusFile = join(exports, 'focus', 'BILLING_PERIOD=2026-11', 'part-00001.csv');

  beforeAll(async () => {
    database = await createTestDatabase('kcost_bill');
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    const client = await pool.connect();
    await migrate(pgSqlClient(client), { logger });
    client.release();
    [billing, deadLetter] = (await createTestTopics(testKafka(), [TOPICS.billing, TOPICS.deadLetter])) as [TopicSpec, TopicSpec];
    s3 = await startS3Server('bills');
    sink = startKcost([
      'sink', '--brokers', testBrokers().join(','), '--database-url', database.url, '--group-id', uniqueName('sink-billing'), '--health-port', String(await freePort()),
      '--costs-topic', '', '--node-costs-topic', '', '--anomalies-topic', '', '--recommendations-topic', '', '--billing-topic', billing.name, '--dead-letter-topic', deadLetter.name,
    ]);
  });

  afterAll(async () => {
    if (sink && sink.child.exitCode === null) expect(await stopped(sink), sink.output.join('\n')).toBe(0);
    await s3?.close();
    // DROP DATABASE ... WITH (FORCE) below may still find a pooled connection closing; its FATAL is expected then.
    pool?.on('error', () => undefined);
    await pool?.end();
    await database?.drop();
    rmSync(work, { recursive: true, force: true });
  });

  const collect = async (source: string, env: Record<string, string> = {}, extra: string[] = []) => {
    const run = startKcost(['collect', 'bill', '--source', source, '--every', '0', '--brokers', testBrokers().join(','), '--billing-topic', billing.name, '--dead-letter-topic', deadLetter.name, '--state-file', join(work, `${source.startsWith('s3') ? 's3' : 'dir'}-state.json`), '--health-port', '0', ...extra], env);
    const code = await run.exited;
    expect(code, run.output.join('\n')).toBe(0);
    return run.output;
  };
  const stored = async (account: string) => {
    const { rows } = await pool.query<{ lines: string; effective: number }>('SELECT count(*) AS lines, coalesce(sum(effective_cost), 0) AS effective FROM billing_line WHERE billing_account_id = $1', [account]);
    return { lines: Number(rows[0]?.lines), cents: cents(rows[0]?.effective ?? 0) };
  };

  it('--help names the source, the schedule and the state file', async () => {
    const { code, output } = await runKcost(['collect', 'bill', '--help']);
    expect(code).toBe(0);
    for (const flag of ['--source', '--every', '--state-file', '--billing-topic', '--s3-endpoint-url', 'KCOST_SOURCE']) expect(output.join('\n')).toContain(flag);
  });

  it('loads a directory and an S3 bucket, dead-letters the bad rows with file, row and reason, and replaces a re-delivered period', async () => {
    // The first FOCUS delivery, with an unknown column, a bad date, and its last row cut in the middle.
    const rows = focusRows(focusBill, focusBill.firstDelivery);
    const columns = [...FOCUS_COLUMNS, 'x_NewProviderColumn', 'UnknownColumn'];
    const badDate = { ...rows[3], ChargePeriodStart: '2026-11-31T00:00:00Z' } as BillRow;
    // A line the provider bills by mistake and drops from the re-delivery: its row must go.
    const mistake = { ...rows[0], ChargeDescription: 'billed by mistake', BilledCost: 99, EffectiveCost: 99 };
    const good = [...rows.slice(0, 3), ...rows.slice(4)].map((r) => ({ ...r, x_NewProviderColumn: 'kept', UnknownColumn: 'ignored' }));
    const lastLine = toCsv(columns, [good.at(-1) as BillRow]).split('\n')[1] as string;
    const text = toCsv(columns, [...good.slice(0, 3), badDate, ...good.slice(3, -1), mistake]) + lastLine.slice(0, Math.floor(lastLine.length / 2));
    mkdirSync(join(exports, 'focus', 'BILLING_PERIOD=2026-11'), { recursive: true });
    writeFileSync(focusFile, text);
    await s3.put('cur2/data/BILLING_PERIOD=2026-11/part-00001.csv.gz', gzipSync(toCsv(CUR2_COLUMNS, cur2Rows(curBill, curBill.finalDelivery))));

    await collect(exports);
    await collect('s3://bills/cur2/', S3_TEST_CREDENTIALS, ['--s3-endpoint-url', s3.endpoint]);

    const loaded = focusBill.firstDelivery.filter((_, i) => i !== 3 && i !== focusBill.firstDelivery.length - 1);
    await waitFor(async () => (await stored('111111111111')).lines === loaded.length + 1 && (await stored('222222222222')).cents === sumOf(curBill.finalDelivery), 30_000, 'billing lines in billing_line');
    expect(await stored('111111111111')).toEqual({ lines: loaded.length + 1, cents: sumOf(loaded) + cents(99) });
    expect((await stored('222222222222')).cents).toBe(sumOf(curBill.finalDelivery));
    const { rows: sample } = await pool.query('SELECT instance_id, source_format, extensions, tags FROM billing_line WHERE billing_account_id = $1 AND instance_id IS NOT NULL LIMIT 1', ['111111111111']);
    expect(sample[0]).toMatchObject({ source_format: 'FOCUS-1.2', extensions: { x_NewProviderColumn: 'kept' }, tags: { 'kubernetes.io/cluster/sim': 'owned' } });

    const letters = await readDeadLetters(testKafka(), deadLetter, 2);
    const fileUrl = pathToFileURL(focusFile).href;
    expect(letters.map((l) => [l.sourceTopic, l.sourceOffset, l.reasonCode, l.service])).toEqual([
      [fileUrl, 4, 'BAD_BILLING_ROW', 'collect-bill'],
      [fileUrl, rows.length + 1, 'BAD_BILLING_ROW', 'collect-bill'],
    ]);
    expect(letters[0]?.reason).toContain('ChargePeriodStart is not a date: "2026-11-31T00:00:00Z"');
    expect(letters[1]?.reason).toMatch(/the row has \d+ of the header's \d+ fields/);

    // Day 20: the provider re-delivers the month in place with restated egress; the lines it no longer has are retired.
    writeFileSync(focusFile, toCsv(FOCUS_COLUMNS, focusRows(focusBill, focusBill.finalDelivery)));
    utimesSync(focusFile, new Date(), new Date(Date.now() + 5_000));
    // This time as a long-running collector: ready after its first scan, its metrics on /metrics, and a clean stop on SIGTERM.
    const port = await freePort();
    const collector = startKcost(['collect', 'bill', '--source', exports, '--every', '1h', '--brokers', testBrokers().join(','), '--billing-topic', billing.name, '--dead-letter-topic', deadLetter.name, '--state-file', join(work, 'dir-state.json'), '--health-port', String(port)]);
    await waitFor(() => isReady(port), 30_000, 'the collector to be ready');
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('kcost_bill_lines_retired_total 1');
    expect(metrics).toContain('kcost_bill_files_read_total{format="FOCUS-1.2"} 1');
    expect(await stopped(collector), collector.output.join('\n')).toBe(0);
    expect(collector.output.some((line) => line.startsWith('{') && line.includes('"msg":"billing source scanned"'))).toBe(true);
    await waitFor(async () => (await stored('111111111111')).cents === sumOf(focusBill.finalDelivery), 30_000, 'the re-delivered period in billing_line');
    expect(await stored('111111111111')).toEqual({ lines: focusBill.finalDelivery.length, cents: sumOf(focusBill.finalDelivery) });
    const { rows: restated } = await pool.query<{ effective_cost: number }>("SELECT effective_cost FROM billing_line WHERE billing_account_id = '111111111111' AND service_name = 'AWSDataTransfer' AND charge_period_start = $1", [new Date(MONTH)]);
    expect(restated.map((r) => r.effective_cost)).toEqual([focusBill.finalDelivery.find((c) => c.kind === 'egress' && c.chargePeriodStart === MONTH)?.effectiveCost]);
  });
});

async function readDeadLetters(kafka: Kafka, topic: TopicSpec, count: number): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  const consumer = await testConsumer({
    kafka,
    codec,
    groupId: uniqueName('bill-dead-letters'),
    topics: [topic],
    deadLetterTopic: `${topic.name}-unused`,
    handler: (batch) => {
      letters.push(...batch.records.map((r) => r.record.value as DeadLetter));
      return Promise.resolve();
    },
  });
  try {
    await waitFor(() => letters.length >= count, 20_000, `${count} dead letters`);
  } finally {
    await consumer.stop();
  }
  return letters.sort((a, b) => a.sourceOffset - b.sourceOffset);
}
