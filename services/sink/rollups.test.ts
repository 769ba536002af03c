import { describe, expect, it } from 'vitest';
import { nodeCost, podCost } from '../../test/fixtures/storage/records.js';
import { bucketStart, NODE_ROLLUPS, POD_ROLLUPS, summarize, upsertParameters, upsertStatement } from './rollups.js';

const HOUR = 3_600_000;
const t0 = Date.UTC(2026, 10, 22, 10, 0);
const [podHourly, podDaily] = POD_ROLLUPS;

describe('rollups of the plain PostgreSQL path', () => {
  it('buckets by UTC hour and day from the epoch, as time_bucket does', () => {
    expect(bucketStart(t0 + 59 * 60_000, HOUR)).toBe(t0);
    expect(bucketStart(t0, 86_400_000)).toBe(Date.UTC(2026, 10, 22));
  });

  it('sums per workload and hour: costs, counts, seconds, usage and request seconds, price sources', () => {
    const records = [
      podCost({ windowStart: t0, totalCostUsd: 0.25, cpuUsageCoresAvg: 0.5, cpuRequestCores: 1 }),
      podCost({ windowStart: t0 + 60_000, totalCostUsd: 0.5, cpuUsageCoresAvg: 0.25, cpuRequestCores: 1, priceSource: 'default' }),
      podCost({ windowStart: t0 + HOUR, totalCostUsd: 1 }),
      podCost({ windowStart: t0, workloadName: 'cart', totalCostUsd: 2 }),
    ];
    const rows = summarize(podHourly!, records);
    expect(rows.map((r) => [r.keys[3], r.bucketStart - t0, r.count, r.seconds])).toEqual([
      ['cart', 0, 1, 60],
      ['checkout', 0, 2, 120],
      ['checkout', HOUR, 1, 60],
    ]);
    const checkout = rows[1]!;
    const sum = (name: string) => checkout.sums[podHourly!.sums.findIndex((s) => s.name === name)];
    expect(sum('total_cost_usd')).toBe(0.75);
    expect(sum('cpu_core_seconds_used')).toBe(45);
    expect(sum('cpu_core_seconds_requested')).toBe(120);
    expect([...checkout.priceSources].sort()).toEqual(['aws-pricing', 'default']);
    expect(summarize(podDaily!, records).map((r) => r.count)).toEqual([1, 3]);
  });

  it('builds one upsert whose parameters line up with its columns', () => {
    for (const spec of [...POD_ROLLUPS, ...NODE_ROLLUPS]) {
      const sql = upsertStatement(spec);
      const params = upsertParameters(spec, summarize(spec as never, [spec.table.startsWith('pod') ? podCost() : nodeCost()] as never));
      expect(sql).toContain(`INSERT INTO ${spec.table} (`);
      expect(sql).toContain(`$${params.length}::text[]`);
      expect(sql).not.toContain(`$${params.length + 1}`);
      expect(params.every((p) => p.length === 1)).toBe(true);
    }
  });
});
