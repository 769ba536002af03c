import { describe, expect, it } from 'vitest';
import { FOCUS_COLUMNS } from './focus-columns.js';
import { compileFocusQuery } from './focus-query.js';
import { planReconciledFocus, RECONCILED_PARTS } from './focus-reconciled-query.js';
import { reconciledFocusRow } from './focus-reconciled-rows.js';
import { ParameterError } from './parameter-error.js';
import { UNRESTRICTED, type Scope } from './scope.js';

const NOW = Date.parse('2026-03-04T13:20:00Z');
const query = (params: Record<string, string>) => compileFocusQuery({ window: 'yesterday', costBasis: 'reconciled', ...params }, NOW);

describe('GET /v1/focus?costBasis=reconciled: parameters and statement', () => {
  it.each([
    [{ step: '1h' }, 'step'],
    [{ window: '24h' }, 'window'],
    [{ filter: 'workload:"web"' }, 'filter'],
    [{ costBasis: 'billed' }, 'costBasis'],
  ])('refuses %j naming %s', (params, parameter) => {
    let thrown: unknown;
    try {
      query(params);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ParameterError);
    expect((thrown as ParameterError).message).toContain(parameter);
  });

  it('keeps a team to its namespaces, external __unallocated__ as no namespace, and reads idle only when asked', () => {
    const team: Scope = { grants: [{ clusters: ['c1'], namespaces: ['web'], nodeCosts: false }] };
    const { text, values } = planReconciledFocus(query({}), 100, team, false);
    expect(text).not.toContain('reconciled_idle_cost_usd');
    expect(text).toContain("COALESCE(NULLIF(namespace, '__unallocated__'), '') = ANY");
    expect(values).toContainEqual(['web']);
    expect(values.at(-1)).toBe(101);
    expect(planReconciledFocus(query({}), 100, UNRESTRICTED, true).text).toContain('reconciled_idle_cost_usd');
  });

  it('groups by workload only for aggregate=workload, and joins the rollup on the same coordinates', () => {
    expect(planReconciledFocus(query({ aggregate: 'workload' }), 100, UNRESTRICTED, false).text).toContain('p.workload_kind = r.workload_kind');
    expect(planReconciledFocus(query({ aggregate: 'namespace' }), 100, UNRESTRICTED, false).text).not.toContain('p.workload_kind = r.workload_kind');
  });
});

describe('reconciled FOCUS rows', () => {
  const q = query({ aggregate: 'workload' });
  const base = { day: '2026-03-03', cluster: 'c1', namespace: 'web', workload_kind: null, workload_name: null, node_name: null, service_name: null, attribution: null, service_category: null, list: 0, cost: 0, billed: false, unbilled: false, seconds: 0, price_sources: null, instance_type: null, capacity_type: null, status: null };

  it('an allocation row: EffectiveCost and BilledCost the reconciled cost, ListCost the list one, bill and list sources by node status', () => {
    const row = reconciledFocusRow(q, { ...base, part: RECONCILED_PARTS.allocation, workload_kind: 'Deployment', workload_name: 'front', list: 10, cost: 7.5, billed: true, unbilled: true, seconds: 7200, price_sources: 'aws-pricing,aws-spot' });
    expect(row).toMatchObject({ EffectiveCost: 7.5, BilledCost: 7.5, ListCost: 10, PricingCategory: 'Other', PricingQuantity: 2, ResourceId: 'c1/web/Deployment/front', x_KcostCostKind: 'allocation', x_KcostCostBasis: 'reconciled', x_KcostPriceSource: 'aws-pricing;aws-spot;bill', x_KcostCpuCost: null });
    expect(row.ChargePeriodStart).toBe(Date.parse('2026-03-03T00:00:00Z'));
    expect(row.ChargePeriodEnd).toBe(Date.parse('2026-03-04T00:00:00Z'));
    expect(reconciledFocusRow(q, { ...base, part: RECONCILED_PARTS.allocation, billed: true, price_sources: 'aws-pricing' }).x_KcostPriceSource).toBe('bill');
  });

  it('an external row: an Adjustment of the service, its category from the bill or Other, no pricing quantity', () => {
    const row = reconciledFocusRow(q, { ...base, part: RECONCILED_PARTS.external, service_name: 'AmazonRDS', attribution: 'tag', service_category: 'Databases', list: 3, cost: 3 });
    expect(row).toMatchObject({ ChargeCategory: 'Adjustment', ServiceName: 'AmazonRDS', ServiceCategory: 'Databases', ServiceSubcategory: 'Other (Databases)', PricingCategory: null, PricingQuantity: null, PricingUnit: null, ResourceId: null, x_KcostAttribution: 'tag', x_KcostNamespace: 'web' });
    const unallocated = reconciledFocusRow(q, { ...base, part: RECONCILED_PARTS.external, cluster: '', namespace: '__unallocated__', service_name: 'Support', attribution: 'unallocated', service_category: 'Not a FOCUS category', cost: -2 });
    expect(unallocated).toMatchObject({ BillingAccountId: '__unallocated__', x_KcostCluster: null, ServiceCategory: 'Other', ServiceSubcategory: 'Other (Other)', EffectiveCost: -2 });
    expect(JSON.parse(unallocated.Tags ?? '{}')).toEqual({ 'kcost.io/namespace': '__unallocated__' });
  });

  it('an idle row: reconciled idle against list idle; a billed on-demand node is Other, spot stays Dynamic', () => {
    const idle = (capacity: string, billed: boolean) => reconciledFocusRow(q, { ...base, part: RECONCILED_PARTS.idle, namespace: null, node_name: 'n1', instance_type: 'm5.large', capacity_type: capacity, list: 4, cost: 2.9, billed, unbilled: !billed, seconds: 86_400, status: billed ? 'BILLED' : 'UNBILLED', price_sources: 'aws-pricing' });
    expect(idle('ON_DEMAND', true)).toMatchObject({ EffectiveCost: 2.9, ListCost: 4, PricingCategory: 'Other', PricingQuantity: 24, ResourceId: 'c1/nodes/n1', x_KcostIdle: true, x_KcostPriceSource: 'bill' });
    expect(idle('ON_DEMAND', false)).toMatchObject({ PricingCategory: 'Standard', x_KcostPriceSource: 'aws-pricing' });
    expect(idle('SPOT', true).PricingCategory).toBe('Dynamic');
  });

  it('fills every column of the export, null only where the column allows it', () => {
    for (const part of Object.values(RECONCILED_PARTS)) {
      const row = reconciledFocusRow(q, { ...base, part, node_name: 'n1', service_name: 'S', attribution: 'tag' });
      for (const column of FOCUS_COLUMNS) {
        expect(column.name in row, column.name).toBe(true);
        if (!column.nullable) expect(row[column.name], `${column.name} of part ${part}`).not.toBeNull();
      }
    }
  });
});
