import { createHash } from 'node:crypto';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAccessConfig } from '../../services/api/access-config.js';
import type { NodeCost, PodCost } from '../../services/codec/records.generated.js';
import type { ExternalRules } from '../../services/billing/external.js';
import { reconcileChangedDays } from '../../services/billing/reconcile-store.js';
import { syntheticBill, type BilledMachine, type BilledVolume, type SyntheticCharge } from '../../services/simulator/synthetic-bill.js';
import type { ApiApp } from '../../services/api/app.js';
import { buildApi, loadThroughSink, type LoadedDatabase } from '../api/api-harness.js';
import { expectFocusConformant, table, type CsvTable } from '../api/focus-conformance.js';
import { nodeCost, podCost } from '../fixtures/storage/records.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MONTH = Date.UTC(2026, 10, 1);
const MONTH_END = Date.UTC(2026, 11, 1);
const machines: BilledMachine[] = [
  { providerId: 'aws:///us-east-1a/i-0aa01', instanceType: 'm5.xlarge', zone: 'us-east-1a', capacityType: 'ON_DEMAND', onDemandHourlyUsd: 0.192, upFrom: MONTH, upTo: null },
  { providerId: 'aws:///us-east-1a/i-0aa02', instanceType: 'm5.xlarge', zone: 'us-east-1a', capacityType: 'ON_DEMAND', onDemandHourlyUsd: 0.192, upFrom: MONTH, upTo: null },
  { providerId: 'aws:///us-east-1b/i-0aa03', instanceType: 'c5.xlarge', zone: 'us-east-1b', capacityType: 'SPOT', onDemandHourlyUsd: 0.17, upFrom: MONTH + 3 * DAY + 12 * HOUR, upTo: MONTH + 9 * DAY },
];
const NAMESPACES = ['shop', 'payments', 'batch'];
const rules: ExternalRules = { clusterTag: null, namespaceTag: 'kcost.io/namespace', unattributed: 'proportional' };
// EBS gp3 disks of the cluster's PersistentVolumes: shop's and payments' databases, mounted by their pods on the first two
// nodes all month, and a disk whose claim's pods are gone (billed, mounted by nobody: an external cost).
const volumes: BilledVolume[] = [
  { volumeId: 'vol-05a0000000000000a', zone: 'us-east-1a', sizeGib: 100, upFrom: MONTH - 30 * DAY, upTo: null },
  { volumeId: 'vol-0ba0000000000000b', zone: 'us-east-1a', sizeGib: 50, upFrom: MONTH - 30 * DAY, upTo: null },
  { volumeId: 'vol-0c00000000000000c', zone: 'us-east-1a', sizeGib: 20, upFrom: MONTH - 30 * DAY, upTo: null },
];
/** The disk each namespace's pods on a node mount, as the processor prices it: 0.08 $/GiB-month over 730 hours. */
const mountedDisk = (namespace: string, node: number): { volumeId: string; gib: number } | null =>
  namespace === 'shop' && node === 0 ? { volumeId: 'vol-05a0000000000000a', gib: 100 } : namespace === 'payments' && node === 1 ? { volumeId: 'vol-0ba0000000000000b', gib: 50 } : null;
const bill = syntheticBill({ seed: 7, cluster: 'sim', monthStart: MONTH, machines, volumes });

/** kcost's own list-price view of the month: hourly node and pod records as the processor would publish them. */
function monthOfCosts(): { nodes: NodeCost[]; pods: PodCost[] } {
  const nodes: NodeCost[] = [];
  const pods: PodCost[] = [];
  machines.forEach((m, i) => {
    const nodeName = `ip-10-0-0-${i + 1}.ec2.internal`;
    for (let t = Math.max(m.upFrom, MONTH); t < (m.upTo ?? MONTH_END); t += HOUR) {
      // kcost's estimate is list (or a list spot price for spot), not what the bill charges.
      const cost = m.onDemandHourlyUsd * (m.capacityType === 'SPOT' ? 0.45 : 1);
      const shares = NAMESPACES.map((_, n) => cost * (0.1 + 0.15 * n + 0.05 * ((t / HOUR + i) % 3)));
      const allocated = shares.reduce((s, v) => s + v, 0);
      nodes.push(nodeCost({ cluster: 'sim', nodeName, nodeUid: `uid-${i}`, providerId: m.providerId, windowStart: t, windowSeconds: 3600, cpuCostUsd: cost * 0.7, memoryCostUsd: cost * 0.3, gpuCostUsd: 0, costUsd: cost, cpuAllocatedCostUsd: allocated * 0.7, memoryAllocatedCostUsd: allocated * 0.3, gpuAllocatedCostUsd: 0, cpuIdleCostUsd: (cost - allocated) * 0.7, memoryIdleCostUsd: (cost - allocated) * 0.3, gpuIdleCostUsd: 0, idleCostUsd: cost - allocated, capacityType: m.capacityType, instanceType: m.instanceType }));
      NAMESPACES.forEach((namespace, n) => {
        const share = shares[n] as number;
        const disk = mountedDisk(namespace, i);
        const storage = disk === null ? 0 : (disk.gib * 0.08) / 730;
        const volumes = disk === null ? [] : [{ persistentVolume: `pvc-${disk.volumeId}`, claim: `data-${namespace}`, storageClass: 'gp3', capacityBytes: disk.gib * 1024 ** 3, costUsd: storage, providerVolumeId: disk.volumeId }];
        pods.push(podCost({ cluster: 'sim', namespace, podUid: `${namespace}-${i}`, podName: `${namespace}-app-${i}`, container: 'app', nodeName, workloadKind: 'Deployment', workloadName: `${namespace}-app`, windowStart: t, windowSeconds: 3600, cpuCostUsd: share * 0.7, memoryCostUsd: share * 0.3, gpuCostUsd: 0, storageCostUsd: storage, networkCostUsd: 0, totalCostUsd: share + storage, onDemandCostUsd: share + storage, spotSavingsUsd: 0, volumes }));
      });
    }
  });
  return { nodes, pods };
}

const lineKey = (c: SyntheticCharge): string => `${bill.accountId}/2026-11-01/${c.kind}-${c.resourceId ?? ''}-${c.chargePeriodStart}`;

/** Replaces the bill in billing_line as the sink does for a delivery: a row per key, rows the delivery no longer holds deleted. */
async function deliver(db: LoadedDatabase, charges: readonly SyntheticCharge[]): Promise<void> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('DELETE FROM billing_line WHERE NOT (key = ANY($1::text[]))', [charges.map(lineKey)]);
    for (const c of charges) {
      await client.query(
        `INSERT INTO billing_line (key, billing_account_id, billing_period_start, billing_period_end, line_id, charge_period_start, charge_period_end, charge_category, charge_class, pricing_category,
  billed_cost, effective_cost, list_cost, billing_currency, commitment_discount_id, resource_id, instance_id, service_name, service_category, provider_name, tags, extensions, source_format, source_file, source_row, source_version, ingested_at)
VALUES ($1, $2, $3, $4, $1, $5, $6, $7, $8, $9, $10, $11, $12, 'USD', $13, $14, $15, $16, $17, 'AWS', $18, '{}', 'FOCUS-1.2', 'file:///bill.csv', 1, 'v1', now())
ON CONFLICT (key) DO UPDATE SET effective_cost = EXCLUDED.effective_cost, billed_cost = EXCLUDED.billed_cost, list_cost = EXCLUDED.list_cost`,
        [lineKey(c), bill.accountId, new Date(bill.billingPeriodStart), new Date(bill.billingPeriodEnd), new Date(c.chargePeriodStart), new Date(c.chargePeriodEnd), c.chargeCategory, c.chargeClass, c.pricingCategory,
          c.billedCost, c.effectiveCost, c.listCost, c.commitmentDiscountId, c.resourceId, c.kind === 'node' ? c.resourceId : null, c.serviceName, c.serviceCategory, JSON.stringify(c.tags)],
      );
    }
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

const reconcile = (db: LoadedDatabase) => reconcileChangedDays(db.pool, { fromMillis: Date.UTC(2026, 9, 1), toMillis: MONTH_END, rules, nowMillis: Date.now() });
const isoDay = (millis: number): string => new Date(millis).toISOString().slice(0, 10);

/** Per UTC day of the month: kcost's namespace rows (pods, idle, external) against the bill's EffectiveCost of the day, in cents. */
async function centsPerDay(db: LoadedDatabase): Promise<Array<{ day: string; kcost: number; bill: number }>> {
  const { rows } = await db.pool.query<{ day: string; kcost: number; bill: number }>(
    `WITH days AS (SELECT d AS day_start FROM generate_series($1::timestamptz, $2::timestamptz - interval '1 day', interval '1 day') d),
bill AS (
  SELECT d.day_start, sum(b.effective_cost * extract(epoch FROM least(b.charge_period_end, d.day_start + interval '1 day') - greatest(b.charge_period_start, d.day_start))
    / extract(epoch FROM b.charge_period_end - b.charge_period_start)) AS usd
  FROM days d JOIN billing_line b ON b.charge_period_start < d.day_start + interval '1 day' AND b.charge_period_end > d.day_start GROUP BY 1
), kcost AS (
  SELECT day, sum(usd) AS usd FROM (
    SELECT day, reconciled_cost_usd AS usd FROM reconciled_pod_cost_daily
    UNION ALL SELECT day, reconciled_idle_cost_usd FROM reconciled_node_cost_daily
    UNION ALL SELECT day, cost_usd FROM external_cost_daily) AS rows GROUP BY day
)
SELECT to_char(b.day_start AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, round(k.usd * 100)::float8 AS kcost, round(b.usd * 100)::float8 AS bill
FROM bill b LEFT JOIN kcost k ON k.day = (b.day_start AT TIME ZONE 'UTC')::date ORDER BY 1`,
    [new Date(MONTH), new Date(MONTH_END)],
  );
  return rows;
}

async function snapshot(db: LoadedDatabase): Promise<Map<string, string>> {
  const { rows } = await db.pool.query<{ day: string; rows: string }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, string_agg(r, E'\\n' ORDER BY r) AS rows FROM (
  SELECT day, 'n ' || t::text AS r FROM reconciled_node_cost_daily t
  UNION ALL SELECT day, 'p ' || t::text FROM reconciled_pod_cost_daily t
  UNION ALL SELECT day, 'e ' || t::text FROM external_cost_daily t
  UNION ALL SELECT day, 'd ' || t::text FROM reconciled_day t) AS s GROUP BY day`,
  );
  return new Map(rows.map((r) => [r.day, r.rows]));
}

describe('kcost reconcile on the real database', () => {
  let db: LoadedDatabase;

  beforeAll(async () => {
    const costs = monthOfCosts();
    db = await loadThroughSink({ pods: costs.pods, nodes: costs.nodes, anomalies: [], prices: [] });
  }, 90_000);

  afterAll(async () => {
    await db?.close();
  });

  it('after the final delivery, kcost\'s per-namespace costs (pods, idle, external) equal the bill\'s EffectiveCost to the cent every day, billed disks counted once, and every node-day conserves', async () => {
    await deliver(db, bill.firstDelivery);
    expect((await reconcile(db)).map(isoDay)).toEqual(Array.from({ length: 30 }, (_, d) => isoDay(MONTH + d * DAY)));
    await deliver(db, bill.finalDelivery);
    // The final delivery restates days 1-19 and brings days 20-30 and last month's correction (prorated over October).
    const replaced = (await reconcile(db)).map(isoDay);
    expect(replaced).toHaveLength(31 + 30);

    const days = await centsPerDay(db);
    expect(days).toHaveLength(30);
    for (const day of days) expect(day, day.day).toEqual({ day: day.day, kcost: day.bill, bill: day.bill });

    const conservation = await db.pool.query<{ day: string; node_name: string; gap: number; status: string }>(
      `SELECT to_char(n.day, 'YYYY-MM-DD') AS day, n.node_name, n.status, abs(n.reconciled_cost_usd - n.reconciled_idle_cost_usd - coalesce(sum(p.reconciled_compute_cost_usd), 0)) AS gap
FROM reconciled_node_cost_daily n LEFT JOIN reconciled_pod_cost_daily p USING (day, cluster, node_name)
GROUP BY n.day, n.node_name, n.status, n.reconciled_cost_usd, n.reconciled_idle_cost_usd`,
    );
    expect(conservation.rows.length).toBe(30 + 30 + 6);
    for (const row of conservation.rows) {
      expect(row.status).toBe('BILLED');
      expect(row.gap, `${row.day} ${row.node_name}`).toBeLessThan(1e-9);
    }
    // The mounted disks' lines are in shop's and payments' pods, in place of their list storage; the unmounted disk is external.
    const disks = await db.pool.query<{ volume_id: string; days: number; list: number; billed: number; pods: number }>(
      `SELECT v.volume_id, count(*)::int AS days, sum(v.list_cost_usd) AS list, sum(v.billed_cost_usd) AS billed,
  (SELECT sum(p.reconciled_storage_cost_usd) FROM reconciled_pod_cost_daily p WHERE p.namespace = CASE v.volume_id WHEN 'vol-05a0000000000000a' THEN 'shop' ELSE 'payments' END) AS pods
FROM reconciled_volume_cost_daily v GROUP BY 1 ORDER BY 1`,
    );
    const billedOf = (volumeId: string) => bill.finalDelivery.filter((c) => c.resourceId === volumeId && c.chargePeriodStart >= MONTH).reduce((s, c) => s + c.effectiveCost, 0);
    expect(disks.rows.map((r) => [r.volume_id, r.days])).toEqual([['vol-05a0000000000000a', 30], ['vol-0ba0000000000000b', 30]]);
    for (const r of disks.rows) {
      expect(r.list).toBeCloseTo((r.volume_id === 'vol-0ba0000000000000b' ? 50 : 100) * 0.08 * (24 * 30) / 730, 9);
      expect(r.billed).toBeCloseTo(billedOf(r.volume_id), 9);
      expect(r.pods).toBeCloseTo(r.billed, 9);
    }
    const dayTotals = await db.pool.query<{ billed: number }>('SELECT sum(volume_billed_cost_usd) AS billed FROM reconciled_day');
    expect(dayTotals.rows[0]?.billed).toBeCloseTo(billedOf('vol-05a0000000000000a') + billedOf('vol-0ba0000000000000b'), 9);
    const orphan = await db.pool.query<{ usd: number }>("SELECT sum(cost_usd) AS usd FROM external_cost_daily WHERE service_name = 'AmazonEC2'");
    const externalEc2 = bill.finalDelivery.filter((c) => c.serviceName === 'AmazonEC2' && c.kind !== 'node' && c.kind !== 'correction' && (c.kind !== 'volume' || c.resourceId === 'vol-0c00000000000000c'));
    expect(orphan.rows[0]?.usd).toBeCloseTo(externalEc2.reduce((s, c) => s + c.effectiveCost, 0) + (bill.finalDelivery.find((c) => c.kind === 'correction')?.effectiveCost ?? NaN), 6);

    const factors = await db.pool.query<{ instance_id: string; min: number; max: number }>(
      'SELECT instance_id, min(factor) AS min, max(factor) AS max FROM reconciled_node_cost_daily GROUP BY 1 ORDER BY 1',
    );
    // The Savings Plan covers the first on-demand node at 72 % of list; the second is billed at list; spot at its billed rate.
    expect(factors.rows.map((r) => r.instance_id)).toEqual(['i-0aa01', 'i-0aa02', 'i-0aa03']);
    expect([factors.rows[0]?.min, factors.rows[0]?.max].map((f) => Math.round((f ?? NaN) * 1e6) / 1e6)).toEqual([0.72, 0.72]);
    expect([factors.rows[1]?.min, factors.rows[1]?.max].map((f) => Math.round((f ?? NaN) * 1e6) / 1e6)).toEqual([1, 1]);
    expect(factors.rows[2]?.max).toBeLessThan(1);
    const external = await db.pool.query<{ namespace: string; service_name: string; attribution: string }>(
      "SELECT DISTINCT namespace, service_name, attribution FROM external_cost_daily WHERE day = '2026-11-10' AND attribution IN ('tag', 'service') ORDER BY 1, 2",
    );
    expect(external.rows).toEqual([
      { namespace: 'payments', service_name: 'AWSELB', attribution: 'service' },
      { namespace: 'shop', service_name: 'AWSELB', attribution: 'service' },
      { namespace: 'shop', service_name: 'AmazonRDS', attribution: 'tag' },
    ]);
  });

  it('running it again changes nothing', async () => {
    const before = await snapshot(db);
    expect(await reconcile(db)).toEqual([]);
    expect(await snapshot(db)).toEqual(before);
  });

  it('a re-delivered day 20 replaces the reconciled figures of day 20 and nothing else, and still matches the bill', async () => {
    const before = await snapshot(db);
    const day20 = MONTH + 19 * DAY;
    // The provider restates day 20: the spot-free on-demand node and the egress of that day cost more.
    const restated = bill.finalDelivery.map((c) =>
      c.chargePeriodStart >= day20 && c.chargePeriodStart < day20 + DAY && (c.kind === 'egress' || c.resourceId === 'i-0aa02') ? { ...c, effectiveCost: c.effectiveCost * 1.1, billedCost: c.billedCost * 1.1 } : c,
    );
    await deliver(db, restated);
    expect((await reconcile(db)).map(isoDay)).toEqual(['2026-11-20']);
    const after = await snapshot(db);
    for (const [day, rows] of before) {
      if (day === '2026-11-20') expect(after.get(day)).not.toEqual(rows);
      else expect(after.get(day), day).toEqual(rows);
    }
    const node = await db.pool.query<{ factor: number }>("SELECT factor FROM reconciled_node_cost_daily WHERE day = '2026-11-20' AND instance_id = 'i-0aa02'");
    expect(node.rows[0]?.factor).toBeCloseTo(1.1, 6);
    for (const day of await centsPerDay(db)) expect(day.kcost, day.day).toBe(day.bill);
  });

  it('GET /v1/allocation?costBasis=reconciled answers the bill per day in namespace, idle and external figures, within the caller\'s scope; the list basis is unchanged', async () => {
    const access = parseAccessConfig(
      [
        'staticTokens:',
        `  - {name: finops, sha256: ${createHash('sha256').update('token-finops').digest('hex')}, role: viewer, namespaces: ['*'], clusters: ['*'], nodeCosts: true}`,
        `  - {name: shop, sha256: ${createHash('sha256').update('token-shop').digest('hex')}, role: viewer, namespaces: [shop], clusters: ['*'], nodeCosts: false}`,
      ].join('\n'),
      'test',
    );
    const api = await buildApi(db.pool, MONTH_END + DAY, { access });
    try {
      const get = async (token: string, query: string) => {
        const reply = await api.inject({ method: 'GET', url: `/v1/allocation?window=2026-11-01T00:00:00Z,2026-12-01T00:00:00Z&${query}`, headers: { authorization: `Bearer ${token}` } });
        expect(reply.statusCode, reply.body).toBe(200);
        return reply.json<{ rows: Array<{ name: string; start: string; properties: { namespace?: string }; listCostUsd: number; reconciledCostUsd: number; externalCostUsd: number; idleCostUsd: number; totalCostUsd: number }>; totals: Record<string, number> }>();
      };
      const answer = await get('token-finops', 'costBasis=reconciled&aggregate=namespace&step=1d&idle=include');
      const perDay = new Map<string, number>();
      for (const row of answer.rows) perDay.set(row.start.slice(0, 10), (perDay.get(row.start.slice(0, 10)) ?? 0) + row.totalCostUsd);
      const bill = await centsPerDay(db);
      expect([...perDay].map(([day, usd]) => ({ day, cents: Math.round(usd * 100) }))).toEqual(bill.map((d) => ({ day: d.day, cents: d.bill })));
      expect(new Set(answer.rows.map((r) => r.name))).toEqual(new Set(['__idle__', 'batch', 'payments', 'shop']));

      const month = await get('token-finops', 'costBasis=reconciled&aggregate=namespace');
      const shopRow = month.rows.find((r) => r.name === 'shop');
      expect(shopRow?.externalCostUsd).toBeGreaterThan(0.171 * 24 * 30);
      expect(shopRow?.listCostUsd).not.toBeCloseTo(shopRow?.reconciledCostUsd ?? 0, 2);

      const scoped = await get('token-shop', 'costBasis=reconciled&aggregate=namespace');
      expect(scoped.rows.map((r) => r.name)).toEqual(['shop']);
      const micros = (row: typeof shopRow) => [row?.listCostUsd, row?.reconciledCostUsd, row?.externalCostUsd, row?.totalCostUsd].map((v) => Math.round((v ?? NaN) * 1e6));
      expect(micros(scoped.rows[0])).toEqual(micros(shopRow));
      const refused = await api.inject({ method: 'GET', url: '/v1/allocation?window=2026-11-01T00:00:00Z,2026-12-01T00:00:00Z&costBasis=reconciled&aggregate=namespace&idle=include', headers: { authorization: 'Bearer token-shop' } });
      expect(refused.statusCode).toBe(403);
      const badAggregate = await api.inject({ method: 'GET', url: '/v1/allocation?window=2026-11-01T00:00:00Z,2026-12-01T00:00:00Z&costBasis=reconciled&aggregate=pod', headers: { authorization: 'Bearer token-finops' } });
      expect(badAggregate.statusCode).toBe(400);
      expect(badAggregate.body).toContain('aggregate');

      const list = await get('token-finops', 'aggregate=namespace');
      expect(list.rows[0]).not.toHaveProperty('externalCostUsd');
      expect(list.rows.find((r) => r.name === 'shop')?.totalCostUsd).toBeCloseTo(shopRow?.listCostUsd ?? NaN, 6);
    } finally {
      await api.close();
    }
  });

  describe('over the API', () => {
    const WINDOW = 'window=2026-11-01T00:00:00Z,2026-12-01T00:00:00Z';
    let api: ApiApp;
    beforeAll(async () => {
      const access = parseAccessConfig(
        [
          'staticTokens:',
          `  - {name: finops, sha256: ${createHash('sha256').update('token-finops').digest('hex')}, role: viewer, namespaces: ['*'], clusters: ['*'], nodeCosts: true}`,
          `  - {name: shop, sha256: ${createHash('sha256').update('token-shop').digest('hex')}, role: viewer, namespaces: [shop], clusters: ['*'], nodeCosts: false}`,
          `  - {name: everyns, sha256: ${createHash('sha256').update('token-everyns').digest('hex')}, role: viewer, namespaces: ['*'], clusters: ['*'], nodeCosts: false}`,
        ].join('\n'),
        'test',
      );
      api = await buildApi(db.pool, MONTH_END + DAY, { access });
      // Some of the month's external cost left unallocated: a row of no namespace, which only callers given node costs may see.
      await db.pool.query("INSERT INTO external_cost_daily VALUES ('2026-11-05', '', '__unallocated__', 'AWSSupportBusiness', 'unallocated', 7.25)");
    });
    afterAll(async () => {
      await db.pool.query("DELETE FROM external_cost_daily WHERE service_name = 'AWSSupportBusiness'");
      await api?.close();
    });

    const focus = async (token: string, query: string): Promise<CsvTable> => {
      const reply = await api.inject({ method: 'GET', url: `/v1/focus?${WINDOW}&costBasis=reconciled&${query}`, headers: { authorization: `Bearer ${token}` } });
      expect(reply.statusCode, reply.body).toBe(200);
      return table(reply.body);
    };
    type Answer = { rows: Array<{ name: string; start: string; properties: Record<string, string>; idleCostUsd: number; externalCostUsd: number; totalCostUsd: number }>; totals: Record<string, number> };
    const allocation = async (token: string, query: string): Promise<Answer> => {
      const reply = await api.inject({ method: 'GET', url: `/v1/allocation?${WINDOW}&costBasis=reconciled&step=1d&${query}`, headers: { authorization: `Bearer ${token}` } });
      expect(reply.statusCode, reply.body).toBe(200);
      return reply.json<Answer>();
    };
    const centsByDay = (entries: ReadonlyArray<readonly [string, number]>): Record<string, number> => {
      const usd: Record<string, number> = {};
      for (const [day, value] of entries) usd[day] = (usd[day] ?? 0) + value;
      return Object.fromEntries(Object.entries(usd).map(([day, v]) => [day, Math.round(v * 100)]));
    };
    const exportCents = (csv: CsvTable) => centsByDay(csv.rows.map((r) => [(r.ChargePeriodStart ?? '').slice(0, 10), Number(r.EffectiveCost)]));
    const allocationCents = (answer: Answer) => centsByDay(answer.rows.map((r) => [r.start.slice(0, 10), r.totalCostUsd]));

    it('GET /v1/focus?costBasis=reconciled: per day, Σ EffectiveCost is the bill\'s EffectiveCost to the cent and the reconciled allocation\'s total with idle; every row is FOCUS 1.2', async () => {
      // One at a time: the API admits two heavy queries per client at once.
      const byWorkload = await focus('token-finops', '');
      const byNamespace = await focus('token-finops', 'aggregate=namespace');
      const answer = await allocation('token-finops', 'aggregate=cluster,namespace&idle=include');
      expectFocusConformant(byWorkload);
      expectFocusConformant(byNamespace);
      expect(new Set(byWorkload.rows.map((r) => r.x_KcostCostKind))).toEqual(new Set(['allocation', 'external', 'idle']));
      for (const row of byWorkload.rows) expect(row.x_KcostCostBasis).toBe('reconciled');
      // The AWSSupportBusiness row is no line of the bill: the bill's cents are those of the lines, the export's those plus 7.25 on day 5.
      const bill = Object.fromEntries((await centsPerDay(db)).map((d) => [d.day, d.bill + (d.day === '2026-11-05' ? 725 : 0)]));
      expect(exportCents(byWorkload)).toEqual(bill);
      expect(exportCents(byNamespace)).toEqual(bill);
      expect(allocationCents(answer)).toEqual(bill);

      const rds = byWorkload.rows.find((r) => r.ServiceName === 'AmazonRDS' && r.ChargePeriodStart === '2026-11-10T00:00:00Z');
      expect(rds).toMatchObject({ x_KcostCostKind: 'external', x_KcostNamespace: 'shop', x_KcostAttribution: 'tag', ServiceCategory: 'Databases', ServiceSubcategory: 'Other (Databases)', ChargeCategory: 'Adjustment', x_KcostCluster: 'sim' });
      expect(JSON.parse(rds?.Tags ?? '{}')).toEqual({ 'kcost.io/cluster': 'sim', 'kcost.io/namespace': 'shop' });
      const unallocated = byWorkload.rows.find((r) => r.x_KcostNamespace === '__unallocated__');
      expect(unallocated).toMatchObject({ BillingAccountId: '__unallocated__', x_KcostCluster: '', x_KcostAttribution: 'unallocated', ServiceCategory: 'Other', EffectiveCost: '7.25' });
      // Reconciled allocation rows keep kcost's list figure beside the billed one.
      const web = byWorkload.rows.find((r) => r.x_KcostCostKind === 'allocation' && r.x_KcostWorkload === 'shop-app' && r.ChargePeriodStart === '2026-11-05T00:00:00Z');
      expect(Number(web?.ListCost)).not.toBeCloseTo(Number(web?.EffectiveCost), 2);
      expect(Number(web?.PricingQuantity)).toBe(24 * 3);
      expect(web?.x_KcostPriceSource).toBe('bill');

      // Parquet: the same rows, nulls where the CSV has empty fields (OPTIONAL columns).
      const parquet = await api.inject({ method: 'GET', url: `/v1/focus?${WINDOW}&costBasis=reconciled&format=parquet`, headers: { authorization: 'Bearer token-finops' } });
      expect(parquet.statusCode).toBe(200);
      const file = parquet.rawPayload.buffer.slice(parquet.rawPayload.byteOffset, parquet.rawPayload.byteOffset + parquet.rawPayload.byteLength) as ArrayBuffer;
      const objects = (await parquetReadObjects({ file })) as Array<Record<string, unknown>>;
      expect(objects.map((o) => [o.x_KcostCostKind, o.EffectiveCost, o.PricingQuantity ?? null, o.x_KcostCpuCost ?? null])).toEqual(
        byWorkload.rows.map((r) => [r.x_KcostCostKind, Number(r.EffectiveCost), r.PricingQuantity === '' ? null : Number(r.PricingQuantity), null]),
      );

      // Bounded like every answer: over --max-rows is a 400, not a partial export.
      const small = await buildApi(db.pool, MONTH_END + DAY, { maxRows: 50 });
      try {
        for (const url of [`/v1/focus?${WINDOW}&costBasis=reconciled`, `/v1/allocation?${WINDOW}&costBasis=reconciled&step=1d&aggregate=workload`]) {
          const over = await small.inject({ method: 'GET', url });
          expect(over.statusCode, url).toBe(400);
          expect(over.body).toContain('more than 50 rows');
        }
      } finally {
        await small.close();
      }
      const hourly = await api.inject({ method: 'GET', url: `/v1/focus?${WINDOW}&costBasis=reconciled&step=1h`, headers: { authorization: 'Bearer token-finops' } });
      expect(hourly.statusCode).toBe(400);
      expect(hourly.json<{ parameter?: string; message: string }>().message).toContain('step');
    });

    it('a team sees only its namespaces\' reconciled and external rows; no idle, no __unallocated__', async () => {
      for (const token of ['token-shop', 'token-everyns']) {
        const csv = await focus(token, '');
        expect(csv.rows.length).toBeGreaterThan(0);
        expectFocusConformant(csv);
        for (const row of csv.rows) {
          expect(row.x_KcostCostKind).not.toBe('idle');
          expect(row.x_KcostNamespace).not.toBe('__unallocated__');
          if (token === 'token-shop') expect(row.x_KcostNamespace).toBe('shop');
        }
        expect(csv.rows.some((r) => r.x_KcostCostKind === 'external')).toBe(true);
        const answer = await allocation(token, 'aggregate=namespace');
        expect(answer.rows.map((r) => r.name)).not.toContain('__unallocated__');
        expect(allocationCents(answer)).toEqual(exportCents(csv));
      }
      const refused = await api.inject({ method: 'GET', url: `/v1/focus?${WINDOW}&costBasis=reconciled&idle=include`, headers: { authorization: 'Bearer token-shop' } });
      expect(refused.statusCode).toBe(403);
    });

    it('/v1/allocation?costBasis=reconciled: every grouping and idle=share hold the same total per day; external cost on __external__ rows by workload and node', async () => {
      const reference = allocationCents(await allocation('token-finops', 'aggregate=namespace&idle=include'));
      const groupings = ['cluster', 'workload', 'node', 'cluster,node', 'namespace,workload'];
      const answers: Answer[] = [];
      for (const query of [...groupings.map((g) => `aggregate=${g}&idle=include`), ...['namespace', 'workload', 'node'].map((g) => `aggregate=${g}&idle=share`)]) answers.push(await allocation('token-finops', query));
      for (const answer of answers) expect(allocationCents(answer)).toEqual(reference);
      const [, byWorkload, byNode] = answers;
      expect(new Set(byWorkload?.rows.map((r) => r.name))).toEqual(new Set(['shop/Deployment/shop-app', 'payments/Deployment/payments-app', 'batch/Deployment/batch-app', 'shop/__external__', 'payments/__external__', 'batch/__external__', '__unallocated__/__external__', '__idle__']));
      expect(new Set(byNode?.rows.filter((r) => r.name !== '__external__').map((r) => r.name))).toEqual(new Set(['ip-10-0-0-1.ec2.internal', 'ip-10-0-0-2.ec2.internal', 'ip-10-0-0-3.ec2.internal', 'ip-10-0-0-1.ec2.internal/__idle__', 'ip-10-0-0-2.ec2.internal/__idle__', 'ip-10-0-0-3.ec2.internal/__idle__']));
      // Shared: every node-day has pods with cost, so no idle is left on an __idle__ row, and the pods carry it.
      const shared = answers[groupings.length + 1] as Answer;
      expect(shared.rows.filter((r) => r.name.endsWith('__idle__'))).toEqual([]);
      expect(shared.rows.filter((r) => r.name.endsWith('shop-app')).every((r) => r.idleCostUsd > 0)).toBe(true);
      expect(shared.totals.idleCostUsd).toBeCloseTo(answers[1]?.totals.idleCostUsd ?? NaN, 6);
    });
  });
});
