import { describe, expect, it } from 'vitest';
import { compileAllocationQuery } from './allocation-params.js';
import { planAllocation } from './allocation-planner.js';
import type { AllocationQuery } from './allocation-params.js';
import type { AllocationPlan } from './allocation-planner.js';
import { applyIdle, toIdle, toRow, type AllocationRow, type DbRow } from './allocation-rows.js';
import { UNRESTRICTED } from './scope.js';

function buildAllocationRows(query: AllocationQuery, plan: AllocationPlan, rows: DbRow[], idle: DbRow[]): AllocationRow[] {
  return applyIdle(query, plan, rows.map((row) => toRow(query, plan, row)), idle.map((row) => toIdle(query, plan, row)));
}

const totalsOf = (rows: readonly AllocationRow[]) => ({ totalCostUsd: rows.reduce((sum, row) => sum + row.totalCostUsd, 0) });

const NOW = Date.parse('2026-03-04T13:20:00Z');

function podRow(cluster: string, namespace: string, cpu: number, memory: number) {
  return { g0: cluster, g1: namespace, cpu_cost_usd: cpu, memory_cost_usd: memory, gpu_cost_usd: 0, total_cost_usd: cpu + memory, record_count: 1, price_sources: 'default' };
}

describe('toRow, toIdle and applyIdle', () => {
  const query = compileAllocationQuery({ window: 'yesterday', aggregate: 'cluster,namespace', idle: 'share' }, NOW);
  const plan = planAllocation(query, 100, UNRESTRICTED);
  const rows = [podRow('c1', 'a', 3, 1), podRow('c1', 'b', 1, 3), podRow('c2', 'a', 2, 2)];
  const idle = [
    { g0: 'c1', cpu_idle_cost_usd: 8, memory_idle_cost_usd: 4, gpu_idle_cost_usd: 1, cpu_allocated_cost_usd: 4, memory_allocated_cost_usd: 4, gpu_allocated_cost_usd: 0, price_sources: 'aws-pricing' },
    { g0: 'c2', cpu_idle_cost_usd: 1, memory_idle_cost_usd: 0, gpu_idle_cost_usd: 0, cpu_allocated_cost_usd: 2, memory_allocated_cost_usd: 2, gpu_allocated_cost_usd: 0, price_sources: 'default' },
  ];

  it('shares each resource of a cluster\'s idle by the rows\' cost of it, and keeps idle nothing was charged for on an __idle__ row', () => {
    const result = buildAllocationRows(query, plan, rows, idle);
    // c1: CPU idle 8 split 3:1, memory idle 4 split 1:3; GPU idle 1 had no GPU cost to follow.
    expect(result.map((r) => [r.name, r.idleCostUsd, r.totalCostUsd])).toEqual([
      ['c1/__idle__', 1, 1],
      ['c1/a', 6 + 1, 4 + 7],
      ['c1/b', 2 + 3, 4 + 5],
      ['c2/a', 1, 5],
    ]);
    // Conservation: the rows and the idle add up to pod cost plus all idle.
    expect(totalsOf(result).totalCostUsd).toBeCloseTo(12 + 13 + 1, 10);
  });

  it('with idle=include adds the idle as its own rows and leaves the pod rows alone', () => {
    const include = compileAllocationQuery({ window: 'yesterday', aggregate: 'cluster,namespace', idle: 'include' }, NOW);
    const result = buildAllocationRows(include, planAllocation(include, 100, UNRESTRICTED), rows, idle);
    expect(result.filter((r) => r.name.endsWith('__idle__')).map((r) => [r.name, r.cpuCostUsd, r.memoryCostUsd, r.gpuCostUsd, r.totalCostUsd])).toEqual([
      ['c1/__idle__', 8, 4, 1, 13],
      ['c2/__idle__', 1, 0, 0, 1],
    ]);
    expect(result.filter((r) => !r.name.endsWith('__idle__')).every((r) => r.idleCostUsd === 0)).toBe(true);
  });

  it('averages usage over the row span and reports efficiency as used / requested', () => {
    const q = compileAllocationQuery({ window: 'yesterday', aggregate: 'namespace' }, NOW);
    const [row] = buildAllocationRows(q, planAllocation(q, 10, UNRESTRICTED), [
      { g0: 'a', cpu_core_seconds_requested: 2 * 86_400, cpu_core_seconds_used: 86_400, memory_byte_seconds_requested: 0, cpu_cost_usd: 1, memory_cost_usd: 1, total_cost_usd: 2 },
    ], []);
    expect(row).toMatchObject({ cpuCoresRequestedAvg: 2, cpuCoresUsedAvg: 1, cpuEfficiency: 0.5, memoryEfficiency: null, totalEfficiency: 0.5 });
  });
});
