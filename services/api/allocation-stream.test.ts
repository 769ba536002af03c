import { describe, expect, it } from 'vitest';
import { compileAllocationQuery } from './allocation-params.js';
import { planAllocation } from './allocation-planner.js';
import { allocationPieces } from './allocation-stream.js';
import { arrayCursor } from './row-cursor.js';
import { UNRESTRICTED } from './scope.js';

const NOW = Date.parse('2026-03-04T13:20:00Z');
const hour = (h: number) => new Date(Date.UTC(2026, 2, 3, h));

function pod(h: number, namespace: string, cpu: number) {
  return { bucket: hour(h), g0: namespace, cpu_cost_usd: cpu, memory_cost_usd: 0, gpu_cost_usd: 0, total_cost_usd: cpu, record_count: 1, price_sources: 'default' };
}

function idle(h: number, cpu: number, allocated: number) {
  return { bucket: hour(h), cpu_idle_cost_usd: cpu, memory_idle_cost_usd: 0, gpu_idle_cost_usd: 0, cpu_allocated_cost_usd: allocated, memory_allocated_cost_usd: 0, gpu_allocated_cost_usd: 0, price_sources: 'default' };
}

async function render(idleMode: string, format: string, batchRows: number): Promise<string> {
  const query = compileAllocationQuery({ window: 'yesterday', aggregate: 'namespace', step: '1h', idle: idleMode, format }, NOW);
  const plan = planAllocation(query, 100, UNRESTRICTED);
  // Buckets 1 and 3 have pods; bucket 2 has only idle (a node with nothing on it).
  const pods = [pod(1, 'web', 3), pod(1, 'api', 1), pod(3, 'web', 4)];
  const idles = [idle(1, 2, 4), idle(2, 5, 0), idle(3, 1, 4)];
  let text = '';
  for await (const piece of allocationPieces(query, plan, { source: plan.source }, arrayCursor(pods, batchRows), plan.idle ? arrayCursor(idles, batchRows) : undefined)) text += piece;
  return text;
}

describe('allocationPieces', () => {
  it('merges rows and idle bucket by bucket, keeps a bucket that has only idle, and sorts each bucket by name', async () => {
    const body = JSON.parse(await render('include', 'json', 1)) as { source: string; rows: Array<{ name: string; start: string; totalCostUsd: number }>; totals: { totalCostUsd: number } };
    expect(body.rows.map((r) => [r.start.slice(11, 13), r.name, r.totalCostUsd])).toEqual([
      ['01', '__idle__', 2],
      ['01', 'api', 1],
      ['01', 'web', 3],
      ['02', '__idle__', 5],
      ['03', '__idle__', 1],
      ['03', 'web', 4],
    ]);
    expect(body.totals.totalCostUsd).toBe(16);
    expect(body.source).toBe('pod_cost_hourly');
  });

  it('shares idle within its bucket only, and renders the same whatever the batch size', async () => {
    const shared = JSON.parse(await render('share', 'json', 2)) as { rows: Array<{ name: string; start: string; idleCostUsd: number }> };
    // Bucket 1: CPU idle 2 over an allocated basis of 4, web 3/4 and api 1/4; bucket 2's idle, charged to nobody, stays idle.
    expect(shared.rows.map((r) => [r.start.slice(11, 13), r.name, r.idleCostUsd])).toEqual([
      ['01', 'api', 0.5],
      ['01', 'web', 1.5],
      ['02', '__idle__', 5],
      ['03', 'web', 1],
    ]);
    expect(await render('share', 'json', 1)).toBe(await render('share', 'json', 100));
  });

  it('writes CSV with its header first and one line per row', async () => {
    const lines = (await render('hide', 'csv', 1)).split('\r\n');
    expect(lines[0]?.startsWith('name,start,end,namespace,')).toBe(true);
    expect(lines.slice(1, -1).map((l) => l.split(',')[0])).toEqual(['api', 'web', 'web']);
    expect(lines.at(-1)).toBe('');
  });
});
