import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FOCUS_COLUMNS } from './focus-columns.js';
import { compileFocusQuery, planFocus } from './focus-query.js';
import { allocationFocusRow, decimalText, focusDateTime, idleFocusRow } from './focus-rows.js';
import { UNRESTRICTED } from './scope.js';

const NOW = Date.parse('2026-03-04T13:20:00Z');

describe('decimalText', () => {
  it.each([
    [1e-7, '0.0000001'],
    [-2.5e-9, '-0.0000000025'],
    [1.25e21, '1250000000000000000000'],
    [0.1, '0.1'],
    [0, '0'],
  ])('%s → %s', (value, text) => expect(decimalText(value)).toBe(text));

  it('writes every finite double as a plain decimal that parses back to the same double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const text = decimalText(value);
        expect(text).toMatch(/^-?\d+(\.\d+)?$/);
        expect(Number(text)).toBe(value === 0 ? 0 : value);
      }),
      { numRuns: 2000 },
    );
  });
});

it('focusDateTime writes UTC to the second with a Z', () => {
  expect(focusDateTime(Date.parse('2026-03-04T05:06:07.890Z'))).toBe('2026-03-04T05:06:07Z');
});

describe('rows', () => {
  const query = compileFocusQuery({ window: '2026-02-28T00:00:00Z,2026-03-02T00:00:00Z' }, NOW);
  const plan = planFocus(query, 100, UNRESTRICTED);
  const db = (kind: string, name: string) => ({
    bucket: new Date('2026-02-28T00:00:00Z'), g0: 'c1', g1: 'web', g2: kind, g3: name,
    cpu_cost_usd: 1, memory_cost_usd: 0.5, gpu_cost_usd: 0, storage_cost_usd: 0.25, network_cost_usd: 0.25, total_cost_usd: 2, on_demand_cost_usd: 3, seconds: 7200, record_count: 2, price_sources: 'aws-spot,aws-pricing',
  });

  it('an allocation row carries the allocation API\'s cost, its billing month, its workload as resource and tags, and a value for every column', () => {
    const row = allocationFocusRow(query, plan.allocation, plan.pods, db('Deployment', 'frontend'));
    expect(Object.keys(row).sort()).toEqual(FOCUS_COLUMNS.map((c) => c.name).sort());
    expect(row).toMatchObject({
      EffectiveCost: 2, BilledCost: 2, ListCost: 3, PricingQuantity: 2, PricingUnit: 'Hours',
      BillingPeriodStart: Date.parse('2026-02-01T00:00:00Z'), BillingPeriodEnd: Date.parse('2026-03-01T00:00:00Z'),
      ChargePeriodStart: Date.parse('2026-02-28T00:00:00Z'), ChargePeriodEnd: Date.parse('2026-03-01T00:00:00Z'),
      ResourceId: 'c1/web/Deployment/frontend', ResourceType: 'Kubernetes Deployment', PricingCategory: 'Other', x_KcostPriceSource: 'aws-pricing;aws-spot', x_KcostIdle: false,
    });
    expect(JSON.parse(row.Tags as string)).toEqual({ 'kcost.io/cluster': 'c1', 'kcost.io/namespace': 'web', 'kcost.io/workload-kind': 'Deployment', 'kcost.io/workload': 'frontend' });
  });

  it('bare pods are one Pod resource per namespace, without workload tags', () => {
    const row = allocationFocusRow(query, plan.allocation, plan.pods, db('', ''));
    expect([row.ResourceId, row.ResourceType]).toEqual(['c1/web/Pod', 'Kubernetes Pod']);
    expect(JSON.parse(row.Tags as string)).toEqual({ 'kcost.io/cluster': 'c1', 'kcost.io/namespace': 'web' });
  });

  it('an idle row is the node\'s idle per resource, priced in the category of its capacity', () => {
    const row = idleFocusRow(query, 86_400_000, {
      bucket: '2026-03-01T00:00:00Z', cluster: 'c1', node_name: 'n2', instance_type: 'm5.large', capacity_type: 'SPOT',
      cpu_idle_cost_usd: 0.5, memory_idle_cost_usd: 0.25, gpu_idle_cost_usd: 0.125, seconds: 86_400, price_sources: 'aws-spot',
    });
    expect(row).toMatchObject({ EffectiveCost: 0.875, PricingCategory: 'Dynamic', PricingQuantity: 24, x_KcostInstanceType: 'm5.large', ResourceId: 'c1/nodes/n2', x_KcostCostKind: 'idle', x_KcostIdle: true, x_KcostNamespace: null });
    expect(row.BillingPeriodStart).toBe(Date.parse('2026-03-01T00:00:00Z'));
  });
});

describe('planFocus', () => {
  const team = { grants: [{ clusters: ['c1'], namespaces: ['web'], nodeCosts: false }] };
  const query = compileFocusQuery({ window: 'yesterday' }, NOW);

  it('adds idle by default only for a scope with node costs, and refuses it when asked without them', () => {
    expect(planFocus(query, 100, UNRESTRICTED).idle).toBeDefined();
    expect(planFocus(query, 100, team).idle).toBeUndefined();
    expect(planFocus({ ...query, idle: 'hide' }, 100, UNRESTRICTED).idle).toBeUndefined();
    expect(() => planFocus({ ...query, idle: 'include' }, 100, team)).toThrow(/node costs/);
  });

  it('keeps the allocation statement within the scope', () => {
    const plan = planFocus(query, 100, team);
    expect(plan.pods.query.text).toContain('namespace');
    expect(plan.pods.query.values).toContainEqual(['web']);
  });

  it.each([
    [{ aggregate: 'pod' }, 'aggregate'],
    [{ step: 'none' }, 'step'],
    [{ format: 'json' }, 'format'],
    [{ idle: 'share' }, 'idle'],
  ])('%o is refused by name', (params, parameter) => {
    expect(() => compileFocusQuery(params, NOW)).toThrow(`parameter "${parameter}"`);
  });
});
