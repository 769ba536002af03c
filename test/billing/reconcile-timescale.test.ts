import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeCost, PodCost } from '../../services/codec/records.generated.js';
import { reconcileChangedDays, type ReconcileDatabase } from '../../services/billing/reconcile-store.js';
import { migrate } from '../../services/db/migrations.js';
import { silentLogger } from '../../services/log/logger.js';
import { syntheticBill, type BilledMachine, type BilledVolume } from '../../services/simulator/synthetic-bill.js';
import { columnNames, encodeRow, NODE_COST_TABLE, POD_COST_TABLE } from '../../services/sink/tables.js';
import { nodeCost, podCost } from '../fixtures/storage/records.js';
import { createTimescaleDb } from '../storage/timescale-db.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MONTH = Date.UTC(2026, 10, 1);
const RECONCILED = MONTH + 9 * DAY;
const machines: BilledMachine[] = [
  { providerId: 'aws:///us-east-1a/i-0bb01', instanceType: 'm5.xlarge', zone: 'us-east-1a', capacityType: 'ON_DEMAND', onDemandHourlyUsd: 0.192, upFrom: MONTH, upTo: null },
  { providerId: 'aws:///us-east-1a/i-0bb02', instanceType: 'm5.xlarge', zone: 'us-east-1a', capacityType: 'SPOT', onDemandHourlyUsd: 0.192, upFrom: MONTH, upTo: null },
];
const DISK = 'vol-0bb0000000000000d';
const volumes: BilledVolume[] = [{ volumeId: DISK, zone: 'us-east-1a', sizeGib: 100, upFrom: MONTH - DAY, upTo: null }];
const bill = syntheticBill({ seed: 5, cluster: 'sim', monthStart: MONTH, machines, volumes });
const NAMESPACES = ['shop', 'payments', 'batch'];

/** One day of hourly list-price records: each node split over three namespaces and idle, shop's database disk on the first node. */
function dayOfCosts(): { nodes: NodeCost[]; pods: PodCost[] } {
  const nodes: NodeCost[] = [];
  const pods: PodCost[] = [];
  machines.forEach((m, i) => {
    const nodeName = `ip-10-1-0-${i + 1}.ec2.internal`;
    for (let t = RECONCILED; t < RECONCILED + DAY; t += HOUR) {
      const cost = m.onDemandHourlyUsd * (m.capacityType === 'SPOT' ? 0.45 : 1);
      const shares = NAMESPACES.map((_, n) => cost * (0.15 + 0.1 * n));
      nodes.push(nodeCost({ cluster: 'sim', nodeName, nodeUid: `uid-${i}`, providerId: m.providerId, windowStart: t, windowSeconds: 3600, costUsd: cost, capacityType: m.capacityType }));
      NAMESPACES.forEach((namespace, n) => {
        const share = shares[n] as number;
        const storage = i === 0 && namespace === 'shop' ? (100 * 0.08) / 730 : 0;
        const disk = storage > 0 ? [{ persistentVolume: 'pvc-shop-db', claim: 'data-shop-db-0', storageClass: 'gp3', capacityBytes: 100 * 1024 ** 3, costUsd: storage, providerVolumeId: DISK }] : [];
        pods.push(podCost({ cluster: 'sim', namespace, podUid: `${namespace}-${i}`, podName: `${namespace}-${i}`, container: 'app', nodeName, workloadKind: 'Deployment', workloadName: namespace, windowStart: t, windowSeconds: 3600, cpuCostUsd: share * 0.6, memoryCostUsd: share * 0.4, gpuCostUsd: 0, storageCostUsd: storage, networkCostUsd: 0, totalCostUsd: share + storage, volumes: disk }));
      });
    }
  });
  return { nodes, pods };
}

// sql/0014 and 0015 on the TimescaleDB path (PGlite with the real extension): node_cost and pod_cost are
// compressed hypertables there, and kcost reconcile reads them, billing_line and writes the reconciled
// tables through the same store the role runs on PostgreSQL.
describe('kcost reconcile on the TimescaleDB path', () => {
  let timescale: Awaited<ReturnType<typeof createTimescaleDb>>;
  let database: ReconcileDatabase;
  const reconcile = () => reconcileChangedDays(database, { fromMillis: RECONCILED, toMillis: RECONCILED + DAY, rules: { clusterTag: null, namespaceTag: 'kcost.io/namespace', unattributed: 'proportional' }, nowMillis: RECONCILED + 2 * DAY });
  const query = async <R extends Record<string, unknown>>(sql: string) => (await timescale.client.query<R>(sql)).rows;

  beforeAll(async () => {
    timescale = await createTimescaleDb();
    expect((await migrate(timescale.client, { logger: silentLogger() })).variant).toBe('timescaledb');
    // PGlite is one session: the store's per-day session is that session, released to nobody.
    const session = { query: <R extends Record<string, unknown>>(text: string, params?: unknown[]) => timescale.client.query<R>(text, params) };
    database = { ...session, connect: async () => ({ ...session, release: () => undefined }) };
    const { nodes, pods } = dayOfCosts();
    await timescale.db.query(`COPY pod_cost (${columnNames(POD_COST_TABLE).join(', ')}) FROM '/dev/blob'`, [], { blob: new Blob([pods.map((p) => encodeRow(POD_COST_TABLE, p)).join('')]) });
    await timescale.db.query(`COPY node_cost (${columnNames(NODE_COST_TABLE).join(', ')}) FROM '/dev/blob'`, [], { blob: new Blob([nodes.map((n) => encodeRow(NODE_COST_TABLE, n)).join('')]) });
    // The day is read from compressed chunks, as a month-old day would be.
    await timescale.db.exec(`SELECT compress_chunk(c) FROM show_chunks('pod_cost') c; SELECT compress_chunk(c) FROM show_chunks('node_cost') c`);
    const charges = bill.finalDelivery.filter((c) => c.chargePeriodStart < RECONCILED + DAY && c.chargePeriodEnd > RECONCILED);
    for (const [i, c] of charges.entries()) {
      await timescale.client.query(
        `INSERT INTO billing_line (key, billing_account_id, billing_period_start, billing_period_end, line_id, charge_period_start, charge_period_end, charge_category, charge_class, pricing_category,
  billed_cost, effective_cost, list_cost, billing_currency, commitment_discount_id, resource_id, instance_id, service_name, service_category, provider_name, tags, extensions, source_format, source_file, source_row, source_version, ingested_at)
VALUES ($1, $2, $3, $4, $1, $5, $6, $7, $8, $9, $10, $11, $12, 'USD', $13, $14, $15, $16, $17, 'AWS', $18, '{}', 'FOCUS-1.2', 'file:///bill.csv', $19, 'v1', now())`,
        [`${bill.accountId}/2026-11-01/${i}`, bill.accountId, new Date(bill.billingPeriodStart), new Date(bill.billingPeriodEnd), new Date(c.chargePeriodStart), new Date(c.chargePeriodEnd), c.chargeCategory, c.chargeClass, c.pricingCategory,
          c.billedCost, c.effectiveCost, c.listCost, c.commitmentDiscountId, c.resourceId, c.kind === 'node' ? c.resourceId : null, c.serviceName, c.serviceCategory, JSON.stringify(c.tags), i + 1],
      );
    }
  }, 60_000);

  afterAll(async () => {
    await timescale?.close();
  });

  it('reconciles the day from compressed hypertables to the bill\'s EffectiveCost to the cent, the disk counted once, every node conserving; a second pass writes nothing', async () => {
    expect((await query<{ n: number }>(`SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_name IN ('pod_cost', 'node_cost') AND is_compressed`))[0]?.n).toBeGreaterThan(0);
    expect(await reconcile()).toEqual([RECONCILED]);

    const [totals] = await query<{ kcost: number; bill: number; billed_day: number }>(
      `SELECT (SELECT sum(reconciled_cost_usd) FROM reconciled_pod_cost_daily) + (SELECT sum(reconciled_idle_cost_usd) FROM reconciled_node_cost_daily)
        + (SELECT sum(cost_usd) FROM external_cost_daily) AS kcost,
       (SELECT sum(effective_cost) FROM billing_line) AS bill,
       (SELECT billed_effective_cost_usd FROM reconciled_day) AS billed_day`,
    );
    expect(Math.round(Number(totals?.kcost) * 100)).toBe(Math.round(Number(totals?.bill) * 100));
    expect(Number(totals?.billed_day)).toBeCloseTo(Number(totals?.bill), 9);

    const nodes = await query<{ status: string; gap: number }>(
      `SELECT n.status, abs(n.reconciled_cost_usd - n.reconciled_idle_cost_usd - sum(p.reconciled_compute_cost_usd)) AS gap
FROM reconciled_node_cost_daily n JOIN reconciled_pod_cost_daily p USING (day, cluster, node_name) GROUP BY n.day, n.cluster, n.node_name, n.status, n.reconciled_cost_usd, n.reconciled_idle_cost_usd`,
    );
    expect(nodes.map((n) => n.status)).toEqual(['BILLED', 'BILLED']);
    for (const node of nodes) expect(Number(node.gap)).toBeLessThan(1e-9);

    const billedDisk = bill.finalDelivery.find((c) => c.resourceId === DISK && c.chargePeriodStart === RECONCILED)?.effectiveCost;
    const disk = await query<{ volume_id: string; billed_cost_usd: number; shop: number }>(
      `SELECT volume_id, billed_cost_usd, (SELECT reconciled_storage_cost_usd FROM reconciled_pod_cost_daily WHERE namespace = 'shop' AND list_storage_cost_usd > 0) AS shop FROM reconciled_volume_cost_daily`,
    );
    expect(disk).toHaveLength(1);
    expect(disk[0]?.volume_id).toBe(DISK);
    expect(Number(disk[0]?.billed_cost_usd)).toBeCloseTo(billedDisk ?? NaN, 9);
    expect(Number(disk[0]?.shop)).toBeCloseTo(billedDisk ?? NaN, 9);

    expect(await reconcile()).toEqual([]);
  });
});
