import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recommendation } from '../../services/codec/records.generated.js';
import { costHistory } from './cost-data.js';
import { costDatabase, type CostDatabase } from './dashboard-db.js';
import { panelSql, sqlOf } from './dashboard-panels.js';
import type { TimeRange, VariableValue } from './grafana-sql.js';
import { latestRecommendations, simulatedRecommendations, type RecommendationEvent } from './recommendation-data.js';

// The Right-sizing dashboard over a month of hourly advice that kcost's
// recommender made from the test cluster's costs, with one workload deleted
// (its key retired by a tombstone) and one container under an HPA: what each
// panel shows, computed here from the records the sink loaded.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const DATA_START = Date.UTC(2026, 9, 1);
const RETIRED = 'staging-us/ci/Deployment/runner/app';
const RETIRED_AT = DATA_START + 27 * DAY + 12 * HOUR;
const UNDER_HPA = 'prod-eu/search/Deployment/query/app';
const UID = 'kcost-rightsizing';

/** The advice as published: the runner's versions stop at its deletion, then its tombstone; query's last version adds an HPA retarget. */
function publishedAdvice(): RecommendationEvent[] {
  const events = simulatedRecommendations(costHistory(DATA_START, 35).pods).filter((e) => e.key !== RETIRED || (e.value !== null && e.value.generatedAt < RETIRED_AT));
  const last = latestRecommendations(events).find((r) => r.key === UNDER_HPA) as Recommendation;
  const retargeted: Recommendation = {
    ...last,
    generatedAt: last.generatedAt + HOUR,
    workloadResources: last.workloadResources && { ...last.workloadResources, hpa: [{ resource: 'cpu', currentTargetUtilizationPercent: 60, recommendedTargetUtilizationPercent: 80, note: 'Raise the target so the HPA keeps its replicas.' }] },
  };
  return [...events, { key: RETIRED, value: null }, { key: UNDER_HPA, value: retargeted }];
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const cpu = (cores: number | null | undefined) => (cores == null ? 'none' : `${Math.round(cores * 1000)}m`);
const mib = (bytes: number | null | undefined) => (bytes == null ? 'none' : `${Math.round(bytes / 1_048_576)}Mi`);

/** What the history panels say for the bucket [start, start + DAY): each target's latest version before the bucket's end, a retired one up to the bucket of its last version. */
function adviceInBucket(events: readonly RecommendationEvent[], start: number, rangeEnd: number): Recommendation[] {
  const live = new Set(latestRecommendations(events).map((r) => r.key));
  const versions = new Map<string, Recommendation[]>();
  for (const e of events) if (e.value) versions.set(e.key, [...(versions.get(e.key) ?? []), e.value]);
  const out: Recommendation[] = [];
  for (const [key, all] of versions) {
    const lastAt = Math.max(...all.map((v) => v.generatedAt));
    if (!live.has(key) && lastAt < start) continue;
    const before = all.filter((v) => v.generatedAt < Math.min(start + DAY, rangeEnd)).sort((a, b) => a.generatedAt - b.generatedAt);
    const inEffect = before.at(-1);
    if (inEffect) out.push(inEffect);
  }
  return out;
}

describe('the Right-sizing dashboard on the real schema with advice from the recommender', () => {
  let database: CostDatabase;
  let events: RecommendationEvent[] = [];
  let latest: Recommendation[] = [];
  const variables = (namespaces = ['batch', 'ci', 'kube-system', 'search', 'shop']): Record<string, VariableValue> => ({
    cluster: { values: ['prod-eu', 'staging-us'], quoted: true },
    namespace: { values: namespaces, quoted: true },
    bucket: { values: ['1d'], quoted: false },
  });
  // The advice tables ignore the range; the history panels read it.
  const RANGE: TimeRange = { from: new Date(DATA_START + 20 * DAY), to: new Date(DATA_START + 36 * DAY) };
  const run = async (title: string, vars = variables(), range = RANGE) => (await database.pool.query<Record<string, unknown>>(panelSql(sqlOf(UID, title), vars, range))).rows;

  beforeAll(async () => {
    const history = costHistory(DATA_START, 35);
    events = publishedAdvice();
    latest = latestRecommendations(events);
    database = await costDatabase('kcost_dashboard_rightsizing', { ...history, recommendations: events });
  });

  afterAll(async () => {
    await database?.end();
  });

  it('totals the latest advice per container, net of the advice that costs more, and counts what it resizes', async () => {
    expect(latest.some((r) => r.saving.monthlySavingsUsd < 0) && latest.some((r) => r.saving.monthlySavingsUsd > 0)).toBe(true);
    const [total] = await run('Potential monthly saving');
    expect(Number(total?.['Monthly saving'])).toBeCloseTo(sum(latest.map((r) => r.saving.monthlySavingsUsd)), 9);
    const shop = latest.filter((r) => r.workloadResources?.target.namespace === 'shop');
    const [shopTotal] = await run('Potential monthly saving', variables(['shop']));
    expect(Number(shopTotal?.['Monthly saving'])).toBeCloseTo(sum(shop.map((r) => r.saving.monthlySavingsUsd)), 9);
    const [share] = await run("Saving, of today's cost");
    expect(Number(share?.['Saving %'])).toBeCloseTo((100 * sum(latest.map((r) => r.saving.monthlySavingsUsd))) / sum(latest.map((r) => r.saving.currentMonthlyUsd)), 9);
    const [counts] = await run('Containers to resize');
    const resized = latest.filter((r) => r.workloadResources?.cpu.action === 'CHANGE' || r.workloadResources?.memory.action === 'CHANGE');
    expect({ toResize: Number(counts?.['To resize']), withAdvice: Number(counts?.['With advice']) }).toEqual({ toResize: resized.length, withAdvice: latest.length });
  });

  it('splits the saving by namespace', async () => {
    const rows = await run('Monthly saving by namespace');
    const expected = new Map<string, number>();
    for (const r of latest) {
      const name = `${r.cluster}/${r.workloadResources?.target.namespace ?? ''}`;
      expected.set(name, (expected.get(name) ?? 0) + r.saving.monthlySavingsUsd);
    }
    expect(rows.map((r) => r.Namespace)).toEqual([...expected].sort((a, b) => b[1] - a[1]).map(([name]) => name));
    for (const row of rows) expect(Number(row['Monthly saving'])).toBeCloseTo(expected.get(String(row.Namespace)) as number, 9);
  });

  it('lists the advice largest saving first, each request and limit as today → advised, without the retired workload', async () => {
    const rows = await run('Top recommendations');
    const bySaving = [...latest].sort((a, b) => b.saving.monthlySavingsUsd - a.saving.monthlySavingsUsd);
    expect(rows.map((r) => `${String(r.Cluster)}/${String(r.Namespace)}/${String(r.Workload)}/${String(r.Container)}`)).toEqual(bySaving.map((r) => r.key));
    expect(rows.some((r) => r.Workload === 'Deployment/runner' && r.Cluster === 'staging-us')).toBe(false);
    for (const row of rows) {
      const record = bySaving[rows.indexOf(row)] as Recommendation;
      const { cpu: c, memory: m } = record.workloadResources ?? { cpu: undefined, memory: undefined };
      const moved = (action: string | undefined, now: string, advised: string) => (action !== 'CHANGE' && action !== 'KEEP' ? `${now} (no advice)` : now === advised ? now : `${now} → ${advised}`);
      expect(row['CPU request'], record.key).toBe(moved(c?.action, cpu(c?.currentRequest), cpu(c?.recommendedRequest)));
      expect(row['CPU limit'], record.key).toBe(moved(c?.action, cpu(c?.currentLimit), cpu(c?.recommendedLimit)));
      expect(row['Memory request'], record.key).toBe(moved(m?.action, mib(m?.currentRequest), mib(m?.recommendedRequest)));
      expect(row['Memory limit'], record.key).toBe(moved(m?.action, mib(m?.currentLimit), mib(m?.recommendedLimit)));
      expect(Number(row['Monthly saving'])).toBeCloseTo(record.saving.monthlySavingsUsd, 9);
      expect([row.Confidence, row.Risk, row.Reasons, (row['Advised at'] as Date).getTime()]).toEqual([record.confidence, record.risk, record.reasons.join(', '), record.generatedAt]);
      expect(row['HPA target']).toBe(record.key === UNDER_HPA ? 'cpu 60% → 80%' : null);
    }
    // The recommender's advice moves something: at least one request shows today → advised.
    expect(rows.some((r) => String(r['CPU request']).includes('→') || String(r['Memory request']).includes('→'))).toBe(true);
  });

  it('shows how the advice moved, day by day, with the retired workload until its deletion', async () => {
    const rows = await run('Potential monthly saving over time');
    const days = Array.from({ length: 16 }, (_, i) => DATA_START + (20 + i) * DAY);
    expect(rows.map((r) => Number(r.time) * 1000)).toEqual(days);
    for (const [i, day] of days.entries()) {
      expect(Number(rows[i]?.['Potential monthly saving']), new Date(day).toISOString()).toBeCloseTo(sum(adviceInBucket(events, day, RANGE.to.getTime()).map((r) => r.saving.monthlySavingsUsd)), 9);
    }
    const runnerIn = (day: number) => adviceInBucket(events, day, RANGE.to.getTime()).some((r) => r.key === RETIRED);
    expect([runnerIn(DATA_START + 27 * DAY), runnerIn(DATA_START + 28 * DAY)]).toEqual([true, false]);
    // Past the last advice, the series ends where the total stands.
    const [total] = await run('Potential monthly saving');
    expect(Number(rows.at(-1)?.['Potential monthly saving'])).toBeCloseTo(Number(total?.['Monthly saving']), 9);

    const cpuRows = await run('CPU requests: today and advised');
    const inEffect = adviceInBucket(events, days.at(-1) as number, RANGE.to.getTime());
    expect(Number(cpuRows.at(-1)?.['Requested today'])).toBeCloseTo(sum(inEffect.map((r) => (r.workloadResources?.cpu.currentRequest ?? 0) * (r.workloadResources?.pricing.replicas ?? 0))), 9);
    const advisedCpu = (r: Recommendation) => {
      const c = r.workloadResources?.cpu;
      const advised = c?.action === 'CHANGE' || c?.action === 'KEEP' ? c.recommendedRequest : null;
      return (advised ?? c?.currentRequest ?? 0) * (r.workloadResources?.pricing.replicasAfter ?? 0);
    };
    expect(Number(cpuRows.at(-1)?.Advised)).toBeCloseTo(sum(inEffect.map(advisedCpu)), 9);
  });

  it('shows the advice in effect over a range with no new version in it', async () => {
    const from = DATA_START + 30 * DAY + 10 * 60_000;
    const rows = await run('Potential monthly saving over time', { ...variables(), bucket: { values: ['1h'], quoted: false } }, { from: new Date(from), to: new Date(from + 15 * 60_000) });
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]?.['Potential monthly saving'])).toBeCloseTo(sum(adviceInBucket(events, DATA_START + 30 * DAY, from + 15 * 60_000).map((r) => r.saving.monthlySavingsUsd)), 9);
  });
});
