import { describe, expect, it } from 'vitest';
import { compileRecommendationsQuery, planRecommendations, toRecommendationCsvRow } from './recommendations-query.js';
import { UNRESTRICTED } from './scope.js';

describe('compileRecommendationsQuery', () => {
  it('takes defaults: largest saving first, 1000 rows (or the cap), JSON, no filter', () => {
    expect(compileRecommendationsQuery({}, 100_000)).toEqual({ filters: {}, sort: 'saving', limit: 1000, format: 'json' });
    expect(compileRecommendationsQuery({}, 50).limit).toBe(50);
  });

  it('reads enums in any case and risks as a list', () => {
    expect(compileRecommendationsQuery({ kind: 'workload_resources', risk: 'low, High', minSavingUsd: '-2.5', namespace: 'web' }, 100)).toMatchObject({
      kind: 'WORKLOAD_RESOURCES',
      risks: ['LOW', 'HIGH'],
      minSavingUsd: -2.5,
      filters: { namespace: 'web' },
    });
  });

  it.each([
    [{ kind: 'NODE_POOLS' }, 'kind'],
    [{ kind: 'unknown' }, 'kind'],
    [{ risk: 'LOW,,HIGH' }, 'risk'],
    [{ minSavingUsd: '1e3' }, 'minSavingUsd'],
    [{ minSavingUsd: 'Infinity' }, 'minSavingUsd'],
    [{ sort: 'risk' }, 'sort'],
    [{ limit: '101' }, 'limit'],
    [{ container: 'a\u0000b' }, 'container'],
  ])('%j is a bad %s', (params, parameter) => {
    expect(() => compileRecommendationsQuery(params, 100)).toThrow(expect.objectContaining({ code: 'BAD_PARAMETER', parameter }));
  });
});

describe('planRecommendations', () => {
  it('binds every request value and orders ties by key', () => {
    const query = compileRecommendationsQuery({ cluster: "c1'; DROP TABLE recommendation; --", workloadKind: 'Deployment', risk: 'medium', minSavingUsd: '10', sort: 'generatedAt', limit: '5' }, 100);
    const { text, values } = planRecommendations(query, UNRESTRICTED);
    expect(text).not.toContain('DROP');
    expect(text).toContain('WHERE cluster = $1::text AND workload_kind = $2::text AND risk = ANY($3::text[]) AND monthly_savings_usd >= $4::float8');
    expect(text).toContain('ORDER BY generated_at DESC, key ASC');
    expect(values).toEqual(["c1'; DROP TABLE recommendation; --", 'Deployment', ['MEDIUM'], 10, 5]);
    expect(planRecommendations(compileRecommendationsQuery({}, 100), UNRESTRICTED).text).not.toContain('WHERE');
  });
});

describe('toRecommendationCsvRow', () => {
  it('flattens a stored row: RFC 3339 times, lists as lists, HPA advice as JSON, NULL empty, bigint counts as numbers', () => {
    const row = toRecommendationCsvRow({
      key: 'c1/web/Deployment/frontend/app',
      generated_at: new Date('2026-11-01T03:00:00Z'),
      reasons: ['OVER_PROVISIONED', 'HPA_MANAGED'],
      hpa: [{ resource: 'cpu', recommendedTargetUtilizationPercent: 80 }],
      cpu_recommended_limit_cores: null,
      sample_count: '60480',
      monthly_savings_usd: 40,
    });
    expect(row).toMatchObject({
      key: 'c1/web/Deployment/frontend/app',
      generatedAt: '2026-11-01T03:00:00.000Z',
      reasons: ['OVER_PROVISIONED', 'HPA_MANAGED'],
      hpa: '[{"resource":"cpu","recommendedTargetUtilizationPercent":80}]',
      cpuRecommendedLimitCores: null,
      sampleCount: 60480,
      monthlySavingsUsd: 40,
    });
  });
});
