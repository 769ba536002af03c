import { describe, expect, it } from 'vitest';
import { compileAllocationQuery, type AllocationParams } from './allocation-params.js';
import { planAllocation } from './allocation-planner.js';
import { ParameterError } from './parameter-error.js';
import { UNRESTRICTED } from './scope.js';

// 2026-03-04 13:20 UTC: "24h" is hour-aligned, "today" day-aligned.
const NOW = Date.parse('2026-03-04T13:20:00Z');
const plan = (params: AllocationParams) => planAllocation(compileAllocationQuery(params, NOW), 1000, UNRESTRICTED);

describe('planAllocation chooses the relation', () => {
  it.each([
    [{ window: 'yesterday' }, 'pod_cost_daily'],
    [{ window: 'yesterday', step: '1d' }, 'pod_cost_daily'],
    [{ window: 'yesterday', step: '1h' }, 'pod_cost_hourly'],
    [{ window: '24h' }, 'pod_cost_hourly'],
    [{ window: '24h', step: '1d' }, 'pod_cost_hourly'],
    [{ window: '7d', aggregate: 'cluster,workload,controllerKind' }, 'pod_cost_hourly'],
    [{ window: 'month', filter: 'namespace:"a"+workload:"web"+controllerKind:"Deployment"+cluster:"c"' }, 'pod_cost_daily'],
    [{ window: '2026-03-01T00:10:00Z,2026-03-02T00:00:00Z' }, 'pod_cost'],
    [{ window: 'yesterday', aggregate: 'pod' }, 'pod_cost'],
    [{ window: 'yesterday', aggregate: 'container' }, 'pod_cost'],
    [{ window: 'yesterday', aggregate: 'node' }, 'pod_cost'],
    [{ window: 'yesterday', aggregate: 'label:app' }, 'pod_cost'],
    [{ window: 'yesterday', filter: 'label[app]:"web"' }, 'pod_cost'],
    [{ window: 'yesterday', filter: 'node:"n1"' }, 'pod_cost'],
  ] as Array<[AllocationParams, string]>)('%j → %s', (params, source) => {
    expect(plan(params).source).toBe(source);
  });

  it('reads idle from the node relation of the same grain, grouped by cluster and node only when the rows are', () => {
    expect(plan({ window: 'yesterday', idle: 'share' }).idle).toMatchObject({ source: 'node_cost_daily', scope: [] });
    expect(plan({ window: '24h', aggregate: 'namespace,cluster', idle: 'include' }).idle).toMatchObject({ source: 'node_cost_hourly', scope: ['cluster'] });
    expect(plan({ window: '2026-03-01T00:10:00Z,2026-03-02T00:00:00Z', aggregate: 'node,cluster', idle: 'include' }).idle).toMatchObject({
      source: 'node_cost',
      scope: ['cluster', 'node_name'],
    });
    expect(plan({ window: 'yesterday' }).idle).toBeUndefined();
  });
});

describe('planAllocation writes parameterized SQL', () => {
  it('never puts request values into the statement text', () => {
    const hostile = `x'; DROP TABLE pod_cost; --`;
    const result = plan({
      window: 'yesterday',
      aggregate: 'namespace,label:app',
      filter: `namespace:"${hostile}"+label[app]!:"${hostile}"+cluster:"c1","c2"`,
      idle: 'include',
    });
    for (const q of [result.query, result.idle?.query]) {
      expect(q?.text).not.toContain('DROP');
      expect(q?.text).not.toMatch(/'x'|c1|c2|'app'/);
    }
    expect(result.query.values).toContainEqual([hostile]);
    expect(result.query.values).toContain('app');
    expect(result.query.values).toContainEqual(['c1', 'c2']);
    // Only the cluster clause reaches the idle statement: idle belongs to no namespace or label.
    expect(result.idle?.query.values).toContainEqual(['c1', 'c2']);
    expect(result.idle?.query.values).not.toContainEqual([hostile]);
  });

  it('groups a workload by namespace, kind and name once, even when namespace is also asked for', () => {
    const result = plan({ window: 'yesterday', aggregate: 'namespace,workload' });
    expect(result.keys.map((k) => k.key)).toEqual(['namespace', 'workload_kind', 'workload_name']);
    expect(result.query.text).toMatch(/^SELECT namespace AS g0, workload_kind AS g1, workload_name AS g2, /);
    expect(result.query.text).toContain('GROUP BY 1, 2, 3');
  });

  it('bins a coarser step from a finer relation and uses the bucket column directly otherwise', () => {
    expect(plan({ window: '24h', step: '1d' }).query.text).toContain("date_bin($1::interval, bucket_start, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS bucket");
    expect(plan({ window: '24h', step: '1d' }).query.values[0]).toBe('86400 seconds');
    expect(plan({ window: '24h', step: '1h' }).query.text).toMatch(/^SELECT bucket_start AS bucket, namespace AS g0/);
  });

  it('asks for one row more than the limit, so a truncated answer can be told from a full one', () => {
    expect(planAllocation(compileAllocationQuery({}, NOW), 50, UNRESTRICTED).query.values.at(-1)).toBe(51);
  });

  it.each([
    [{ aggregate: 'namespace,owner' }, 'aggregate', /unknown dimension "owner"/],
    [{ aggregate: 'label:' }, 'aggregate', /not a Kubernetes label key/],
    [{ aggregate: 'pod,pod' }, 'aggregate', /appears twice/],
    [{ step: '1w' }, 'step', /not one of none, 1h, 1d/],
    [{ idle: 'spread' }, 'idle', /not one of hide, include, share/],
    [{ format: 'xml' }, 'format', /not one of json, csv/],
  ] as Array<[AllocationParams, string, RegExp]>)('rejects %j naming %s', (params, parameter, message) => {
    let error: unknown;
    try {
      compileAllocationQuery(params, NOW);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ParameterError);
    expect((error as ParameterError).parameter).toBe(parameter);
    expect((error as ParameterError).message).toMatch(message);
  });
});
