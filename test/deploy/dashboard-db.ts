import pg from 'pg';
import type { CostAnomaly, NodeCost, PodCost } from '../../services/codec/records.generated.js';
import { migrate } from '../../services/db/migrations.js';
import { pgSqlClient } from '../../services/db/sql-client.js';
import { silentLogger } from '../../services/log/logger.js';
import { adviseCluster } from '../../services/savings/cluster-savings.js';
import { commitmentTerms } from '../../services/savings/commitment-advice.js';
import { KubeInventory } from '../../services/savings/kube-inventory.js';
import { adviceHour, storedClusters } from '../../services/savings/savings-reader.js';
import { readInput } from '../../services/savings/savings-runner.js';
import { BatchWriter, type LoadBatch } from '../../services/sink/batch-writer.js';
import { createTestDatabase } from '../support/database.js';
import type { RecommendationEvent } from './recommendation-data.js';

/** A migrated test database holding the given costs and recommendations, loaded as the sink loads them; end() drops it. */
export interface CostDatabase {
  readonly pool: pg.Pool;
  end(): Promise<void>;
}

export async function costDatabase(
  prefix: string,
  history: { pods: readonly PodCost[]; nodes: readonly NodeCost[]; anomalies: readonly CostAnomaly[]; recommendations?: readonly RecommendationEvent[]; savings?: boolean },
): Promise<CostDatabase> {
  const database = await createTestDatabase(prefix);
  // Grafana's PostgreSQL datasource runs its sessions in UTC; so do these, whatever the server's default.
  const pool = new pg.Pool({ connectionString: database.url, max: 2, options: '-c TimeZone=UTC' });
  const client = await pool.connect();
  let variant: 'postgres' | 'timescaledb';
  try {
    variant = (await migrate(pgSqlClient(client), { logger: silentLogger() })).variant;
  } finally {
    client.release();
  }
  // COPY into the raw tables and, on plain PostgreSQL, the rollups in the same transaction.
  const writer = new BatchWriter({ pool, variant, group: 'dashboards', logger: silentLogger(), reject: async () => undefined });
  const load = async (topic: string, schema: LoadBatch['schema'], values: readonly unknown[], keyOf: (i: number) => string | null = () => null) => {
    for (let first = 0; first < values.length; first += 5000) {
      const records = values.slice(first, first + 5000).map((value, i) => ({ offset: String(first + i), key: keyOf(first + i), value }));
      const result = await writer.write({ topic, partition: 0, schema, records, nextOffset: String(first + records.length) });
      if (result.rejected.length > 0) throw new Error(`${topic}: the sink rejected ${result.rejected.length} records`);
    }
  };
  await load('costs', 'PodCost', history.pods);
  await load('node-costs', 'NodeCost', history.nodes);
  await load('anomalies', 'CostAnomaly', history.anomalies);
  // Versions and tombstones in topic order: every version into recommendation_history, the latest per key into recommendation.
  const recommendations = history.recommendations ?? [];
  await load('recommendations', 'Recommendation', recommendations.map((e) => e.value), (i) => recommendations[i]?.key ?? null);
  if (history.savings) {
    // What kcost savings would publish for these costs (no Kubernetes state: unlabelled pools, no budgets), loaded after the rest.
    const advice = [];
    for (const cluster of await storedClusters(pool)) {
      const hour = await adviceHour(pool, cluster);
      if (hour === null) continue;
      const input = await readInput({ db: pool, inventory: new KubeInventory(), commitmentLookbackHours: 720, spotLookbackMillis: 7 * 86_400_000 }, cluster, hour);
      advice.push(...adviseCluster(input, { nodePools: { maxAllocatedFraction: 0.8 }, commitments: { termsFor: commitmentTerms({ 1: null, 3: null }) } }));
    }
    const offset = recommendations.length;
    const result = await writer.write({ topic: 'recommendations', partition: 0, schema: 'Recommendation', records: advice.map((value, i) => ({ offset: String(offset + i), key: value.key, value })), nextOffset: String(offset + advice.length) });
    if (result.rejected.length > 0) throw new Error(`recommendations: the sink rejected ${result.rejected.length} savings records`);
  }
  return {
    pool,
    async end() {
      await pool.end();
      await database.drop();
    },
  };
}
