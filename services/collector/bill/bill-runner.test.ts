import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { BillingLine } from '../../codec/records.generated.js';
import type { KcostError } from '../../errors/kcost-error.js';
import type { RejectedRecord } from '../../kafka/dead-letter.js';
import { silentLogger } from '../../log/logger.js';
import { syntheticBill, type BilledMachine } from '../../simulator/synthetic-bill.js';
import { cur2Rows, CUR2_COLUMNS, focusRows, FOCUS_COLUMNS, toCsv, type BillRow } from '../../simulator/synthetic-bill-files.js';
import { createBillMetrics } from './bill-metrics.js';
import { BillRunner, type BillingRecord } from './bill-runner.js';
import type { BillSource } from './bill-source.js';
import type { ListedFile } from './delivery-book.js';

const DAY = 86_400_000;
const MONTH = Date.UTC(2026, 10, 1);
const machines: BilledMachine[] = [
  { providerId: 'aws:///us-east-1a/i-0aaa000000000001', instanceType: 'm5.xlarge', zone: 'us-east-1a', capacityType: 'ON_DEMAND', onDemandHourlyUsd: 0.192, upFrom: MONTH - DAY, upTo: null },
  { providerId: 'aws:///us-east-1b/i-0aaa000000000002', instanceType: 'm5.2xlarge', zone: 'us-east-1b', capacityType: 'ON_DEMAND', onDemandHourlyUsd: 0.384, upFrom: MONTH - DAY, upTo: null },
  { providerId: 'aws:///us-east-1a/i-0aaa000000000003', instanceType: 'c5.xlarge', zone: 'us-east-1a', capacityType: 'SPOT', onDemandHourlyUsd: 0.17, upFrom: MONTH - DAY, upTo: MONTH + 10.5 * DAY },
  { providerId: 'aws:///us-east-1a/i-0aaa000000000004', instanceType: 'c5.xlarge', zone: 'us-east-1a', capacityType: 'SPOT', onDemandHourlyUsd: 0.17, upFrom: MONTH + 10.5 * DAY + 120_000, upTo: null },
];
const bill = syntheticBill({ seed: 7, cluster: 'sim', monthStart: MONTH, machines });

/** A billing source in memory: files by id, each with its folder, version and bytes. */
class MemorySource implements BillSource {
  readonly name = 'memory://bills';
  readonly files = new Map<string, ListedFile & { bytes: Buffer }>();
  /** How many bytes each chunk of a file's stream holds (a network read hands a file over in pieces). */
  constructor(private readonly chunkBytes = Number.POSITIVE_INFINITY) {}
  put(folder: string, name: string, bytes: Buffer, modifiedMillis: number): void {
    const id = `${folder}/${name}`;
    const previous = this.files.get(id);
    this.files.set(id, { id, folder, version: `v${(Number(previous?.version.slice(1) ?? 0) + 1)}`, modifiedMillis, bytes });
  }
  list = () => Promise.resolve([...this.files.values()].map(({ bytes: _bytes, ...file }) => file));
  open = (id: string) => {
    const bytes = (this.files.get(id) as { bytes: Buffer }).bytes;
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += Math.min(this.chunkBytes, bytes.length)) chunks.push(bytes.subarray(at, at + this.chunkBytes));
    return Promise.resolve(Readable.from(chunks));
  };
}

function harness(source: BillSource) {
  const topic = new Map<string, BillingLine>();
  const published: BillingRecord[] = [];
  const deadLetters: Array<{ rejected: RejectedRecord; error: KcostError }> = [];
  const registry = new Registry();
  const runner = new BillRunner({
    source,
    publish: (records) => {
      for (const r of records) {
        published.push(r);
        if (r.value === null) topic.delete(r.key);
        else topic.set(r.key, r.value);
      }
      return Promise.resolve();
    },
    deadLetter: (rejected, error) => {
      deadLetters.push({ rejected, error });
      return Promise.resolve();
    },
    saveState: () => Promise.resolve(),
    metrics: createBillMetrics(registry),
    logger: silentLogger(),
    clock: () => MONTH + 40 * DAY,
  });
  return { runner, topic, published, deadLetters, registry };
}

const total = (lines: Iterable<BillingLine>, pick: (l: BillingLine) => number = (l) => l.effectiveCost) => Math.round([...lines].reduce((s, l) => s + pick(l), 0) * 100) / 100;
const expected = (charges: typeof bill.finalDelivery) => Math.round(charges.reduce((s, c) => s + c.effectiveCost, 0) * 100) / 100;

function parquetOf(columns: readonly string[], rows: readonly BillRow[]): Buffer {
  const columnData = columns.map((name) => {
    const values = rows.map((r) => r[name] ?? null);
    const numeric = values.some((v) => typeof v === 'number');
    return { name, data: values.map((v) => (v === null ? null : numeric ? Number(v) : String(v))), type: numeric ? ('DOUBLE' as const) : ('STRING' as const) };
  });
  return Buffer.from(parquetWriteBuffer({ columnData }));
}

describe('BillRunner', () => {
  it.each([
    ['FOCUS 1.2 CSV', () => Buffer.from(toCsv(FOCUS_COLUMNS, focusRows(bill, bill.finalDelivery))), 'FOCUS-1.2'],
    ['FOCUS 1.2 Parquet', () => parquetOf(FOCUS_COLUMNS, focusRows(bill, bill.finalDelivery)), 'FOCUS-1.2'],
    ['CUR 2.0 CSV, gzip', () => gzipSync(toCsv(CUR2_COLUMNS, cur2Rows(bill, bill.finalDelivery))), 'CUR-2.0'],
    ['CUR 2.0 Parquet', () => parquetOf(CUR2_COLUMNS, cur2Rows(bill, bill.finalDelivery)), 'CUR-2.0'],
  ])('loads the synthetic month from %s with the bill\'s EffectiveCost and BilledCost to the cent', async (_name, bytes, format) => {
    const source = new MemorySource();
    source.put('mem://exports/2026-11', 'part-0', bytes(), 1);
    const { runner, topic, deadLetters } = harness(source);
    const outcome = await runner.scan();
    expect(outcome).toMatchObject({ ok: true, filesRead: 1, retired: 0, deadLettered: 0 });
    expect(deadLetters).toEqual([]);
    expect(total(topic.values())).toBe(expected(bill.finalDelivery));
    expect(total(topic.values(), (l) => l.billedCost)).toBe(Math.round(bill.finalDelivery.reduce((s, c) => s + c.billedCost, 0) * 100) / 100);
    const lines = [...topic.values()];
    expect(new Set(lines.map((l) => l.sourceFormat))).toEqual(new Set([format]));
    // Nodes are matched on the instance id their providerID ends with.
    const node = lines.find((l) => l.instanceId === 'i-0aaa000000000003' && l.chargePeriodStart === MONTH + 2 * DAY);
    expect(node).toMatchObject({ pricingCategory: 'Dynamic', serviceCategory: 'Compute', billingCurrency: 'USD', resourceId: 'i-0aaa000000000003' });
    const lb = lines.find((l) => l.serviceName === 'AWSELB');
    expect(Object.entries(lb?.tags ?? {}).some(([k, v]) => k.endsWith('kubernetes.io/service-name') && v === 'shop/frontend')).toBe(true);
    expect(lines.find((l) => l.chargeClass === 'Correction')).toMatchObject({ chargeCategory: 'Credit', effectiveCost: -12.34 });
  });

  it('replaces a re-delivered billing period: restated lines keep their keys, lines no longer billed get tombstones', async () => {
    const source = new MemorySource();
    const first = focusRows(bill, bill.firstDelivery);
    // The first delivery also bills a line the provider drops later.
    const dropped = { ...first[0], ChargeDescription: 'billed by mistake', BilledCost: 99, EffectiveCost: 99 } as BillRow;
    source.put('mem://exports/2026-11', 'part-0', Buffer.from(toCsv(FOCUS_COLUMNS, [...first, dropped])), 1);
    const { runner, topic, published } = harness(source);
    await runner.scan();
    expect(total(topic.values())).toBe(Math.round((expected(bill.firstDelivery) + 99) * 100) / 100);
    const egressKeyBefore = [...topic].find(([, l]) => l.serviceName === 'AWSDataTransfer' && l.chargePeriodStart === MONTH)?.[0];

    expect((await runner.scan()).filesRead).toBe(0); // nothing changed, nothing read or published
    published.length = 0;
    // Re-delivered in place (same file, new version), with the day-20 restatement.
    source.put('mem://exports/2026-11', 'part-0', Buffer.from(toCsv(FOCUS_COLUMNS, focusRows(bill, bill.finalDelivery))), 2);
    const outcome = await runner.scan();
    expect(outcome.retired).toBe(1);
    expect(published.filter((r) => r.value === null)).toHaveLength(1);
    expect(total(topic.values())).toBe(expected(bill.finalDelivery));
    const egress = [...topic].find(([, l]) => l.serviceName === 'AWSDataTransfer' && l.chargePeriodStart === MONTH);
    expect(egress?.[0]).toBe(egressKeyBefore);
    expect(egress?.[1].effectiveCost).toBe(bill.finalDelivery.find((c) => c.kind === 'egress' && c.chargePeriodStart === MONTH)?.effectiveCost);
  });

  it('a period delivered again in a new folder replaces the older folder; a part removed from the delivery in effect retires its lines', async () => {
    const source = new MemorySource();
    const rows = focusRows(bill, bill.firstDelivery);
    const half = Math.floor(rows.length / 2);
    source.put('mem://exports/2026-11/run-1', 'part-0', Buffer.from(toCsv(FOCUS_COLUMNS, rows.slice(0, half))), 1);
    source.put('mem://exports/2026-11/run-1', 'part-1', Buffer.from(toCsv(FOCUS_COLUMNS, rows.slice(half))), 1);
    const { runner, topic } = harness(source);
    await runner.scan();
    expect(total(topic.values())).toBe(expected(bill.firstDelivery));
    source.put('mem://exports/2026-11/run-2', 'part-0', Buffer.from(toCsv(FOCUS_COLUMNS, focusRows(bill, bill.finalDelivery))), 2);
    await runner.scan();
    expect(total(topic.values())).toBe(expected(bill.finalDelivery));
    expect(new Set([...topic.values()].map((l) => l.sourceFile))).toEqual(new Set(['mem://exports/2026-11/run-2/part-0']));
    source.files.delete('mem://exports/2026-11/run-2/part-0');
    await runner.scan();
    // The newest delivery is gone, so the older one is in effect again.
    expect(total(topic.values())).toBe(expected(bill.firstDelivery));
    source.files.clear();
    await runner.scan();
    expect(topic.size).toBe(0);
  });

  it('dead-letters a row cut short, a bad date, a bad number and a value FOCUS does not allow, with file, row and reason, and loads the rest', async () => {
    const rows = focusRows(bill, bill.firstDelivery.slice(0, 6));
    const csv = toCsv([...FOCUS_COLUMNS, 'SomeNewColumn'], [
      { ...rows[0], SomeNewColumn: 'ignored' },
      { ...rows[1], ChargePeriodStart: '2026-11-31T00:00:00Z' },
      { ...rows[2], BilledCost: '12,5' },
      { ...rows[3], ChargeCategory: 'Refund' },
      rows[4] as BillRow,
    ]);
    const cut = csv + toCsv([...FOCUS_COLUMNS, 'SomeNewColumn'], [rows[5] as BillRow]).split('\n')[1]?.slice(0, 60);
    const source = new MemorySource();
    source.put('mem://exports/2026-11', 'cut.csv', Buffer.from(cut), 1);
    const { runner, topic, deadLetters, registry } = harness(source);
    const outcome = await runner.scan();
    expect(outcome).toMatchObject({ ok: true, published: 2, deadLettered: 4 });
    expect(total(topic.values())).toBe(Math.round(((rows[0]?.EffectiveCost as number) + (rows[4]?.EffectiveCost as number)) * 100) / 100);
    expect(deadLetters.map((d) => [d.rejected.topic, d.rejected.offset, d.error.code])).toEqual([
      ['mem://exports/2026-11/cut.csv', '2', 'BAD_BILLING_ROW'],
      ['mem://exports/2026-11/cut.csv', '3', 'BAD_BILLING_ROW'],
      ['mem://exports/2026-11/cut.csv', '4', 'BAD_BILLING_ROW'],
      ['mem://exports/2026-11/cut.csv', '6', 'BAD_BILLING_ROW'],
    ]);
    expect(deadLetters.map((d) => d.error.message)).toEqual([
      expect.stringContaining('row 2: ChargePeriodStart is not a date: "2026-11-31T00:00:00Z"'),
      expect.stringContaining('row 3: BilledCost is not a number: "12,5"'),
      expect.stringContaining('row 4: ChargeCategory is not one of'),
      expect.stringContaining('row 6: the row has'),
    ]);
    expect(await registry.getSingleMetricAsString('kcost_bill_rows_dead_lettered_total')).toContain('kcost_bill_rows_dead_lettered_total{reason="BAD_BILLING_ROW"} 4');
    // Unchanged, the file is not read again and its bad rows are not dead-lettered twice.
    await runner.scan();
    expect(deadLetters).toHaveLength(4);
  });

  it('reads a gzip file streamed in 7-byte pieces as a whole one, and refuses whole a gzip file cut past its first rows', async () => {
    const gzip = gzipSync(toCsv(FOCUS_COLUMNS, focusRows(bill, bill.firstDelivery)));
    const whole = new MemorySource(7);
    whole.put('mem://exports/2026-11', 'part-1.csv.gz', gzip, 1);
    const read = harness(whole);
    expect((await read.runner.scan()).ok).toBe(true);
    expect(read.topic.size).toBe(bill.firstDelivery.length);

    const cut = new MemorySource(7);
    cut.put('mem://exports/2026-11', 'part-1.csv.gz', gzip.subarray(0, Math.floor(gzip.length / 2)), 1);
    const refused = harness(cut);
    expect((await refused.runner.scan()).ok).toBe(true);
    expect(refused.topic.size).toBe(0);
    expect(refused.deadLetters.map((d) => [d.rejected.offset, d.error.code])).toEqual([['0', 'UNREADABLE_BILLING_FILE']]);
    expect(refused.deadLetters[0]?.error.message).toContain('gzip');
  });

  it('dead-letters a file that cannot be read at all and carries on with the others', async () => {
    const source = new MemorySource();
    const parquet = parquetOf(FOCUS_COLUMNS, focusRows(bill, bill.firstDelivery.slice(0, 3)));
    source.put('mem://exports/2026-11', 'broken.parquet', parquet.subarray(0, parquet.length - 20), 1);
    source.put('mem://exports/2026-11', 'good.csv', Buffer.from(toCsv(FOCUS_COLUMNS, focusRows(bill, bill.firstDelivery.slice(0, 3)))), 1);
    const { runner, topic, deadLetters } = harness(source);
    expect((await runner.scan()).ok).toBe(true);
    expect(topic.size).toBe(3);
    expect(deadLetters.map((d) => [d.rejected.topic, d.error.code])).toEqual([['mem://exports/2026-11/broken.parquet', 'UNREADABLE_BILLING_FILE']]);
  });
});
