import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverUrl } from '../support/database.js';
import { topicSize, waitFor } from '../support/kafka.js';
import { createKafka } from '../../services/kafka/kafka-client.js';
import { TOPICS } from '../../services/kafka/topics.js';
import { silentLogger } from '../../services/log/logger.js';
import { freePortBlock } from '../support/ports.js';
import { REPO, startKcost, type KcostProcess } from '../../bench/kcost-process.js';
import type { Recommendation } from '../../services/recommender/recommendation.js';

// What README.md promises a newcomer: `npm start` (scripts/up.sh, which runs
// `kcost up --simulate` against a local broker) brings the pipeline up, the
// API returns namespace costs and the exporter serves pod series within two
// minutes, the recommender's advice reaches /v1/recommendations, and Ctrl-C
// stops it cleanly. `kcost up` uses the default topic
// names, so it gets a broker of its own here (scripts/kafka.sh with its own
// state directory and ports) and a database that does not exist yet.

const run = promisify(execFile);

/** The JSON line `kcost simulate` prints when it is done. */
interface SimulatorSummary {
  readonly speed: number | 'max';
  readonly start: string;
  readonly end: string;
  readonly published: Record<string, Record<string, number> | undefined>;
}

const parseJson = (line: string): { speed?: unknown } | null => {
  try {
    return JSON.parse(line) as { speed?: unknown };
  } catch {
    return null;
  }
};
const NEWCOMER_WAIT_MILLIS = 120_000;
const HOUR = 3_600_000;

describe('kcost up --simulate, as npm start runs it', () => {
  const state = mkdtempSync(join(tmpdir(), 'kcost-up-broker-'));
  let brokerEnv: NodeJS.ProcessEnv;
  let brokers = '';
  let databaseName = '';
  let ports: { api: number; exporter: number; health: number };
  let up: KcostProcess | undefined;

  beforeAll(async () => {
    const [kafkaPort = 0, controllerPort = 0, api = 0, exporter = 0, health = 0] = await freePortBlock(12);
    ports = { api: api, exporter: exporter, health: health };
    brokerEnv = { ...process.env, KCOST_KAFKA_STATE: state, KCOST_KAFKA_PORT: String(kafkaPort), KCOST_KAFKA_CONTROLLER_PORT: String(controllerPort), KCOST_KAFKA_HEAP: '384m' };
    brokers = (await run('bash', [join(REPO, 'scripts', 'kafka.sh'), 'start'], { env: brokerEnv, timeout: 120_000 })).stdout.trim();
    databaseName = `kcost_up_${Date.now().toString(36)}`;
  }, 150_000);

  afterAll(async () => {
    if (up && up.child.exitCode === null) up.child.kill('SIGKILL');
    await run('bash', [join(REPO, 'scripts', 'kafka.sh'), 'stop'], { env: brokerEnv }).catch(() => undefined);
    rmSync(state, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: serverUrl() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await admin.end();
  }, 60_000);

  it('serves non-zero namespace costs and pod series within two minutes, and stops cleanly on Ctrl-C', async () => {
    const databaseUrl = new URL(serverUrl());
    databaseUrl.pathname = `/${databaseName}`;
    up = startKcost([
      'up', '--simulate', '--brokers', brokers, '--database-url', databaseUrl.toString(),
      '--api-port', String(ports.api), '--exporter-port', String(ports.exporter), '--first-health-port', String(ports.health),
      '--nodes', '6', '--pods', '60', '--log-level', 'warn',
      // A shorter allowed lateness than the default 2 minutes: the backfill's last windows close sooner, and a
      // sample taken for late by a start-up race would be dead-lettered all the more readily.
    ], { KCOST_ALLOWED_LATENESS: '20s' });
    let namespaces: Array<{ name?: string; totalCostUsd?: number }> = [];
    let podSeries = 0;
    await waitFor(
      async () => {
        if (up?.child.exitCode !== null) throw new Error(`kcost up exited early:\n${up?.output.join('\n')}`);
        const allocation = await fetch(`http://127.0.0.1:${ports.api}/v1/allocation?window=24h&aggregate=namespace`).catch(() => null);
        const metrics = await fetch(`http://127.0.0.1:${ports.exporter}/metrics`).catch(() => null);
        if (!allocation?.ok || !metrics?.ok) return false;
        namespaces = ((await allocation.json()) as { rows: typeof namespaces }).rows;
        podSeries = (await metrics.text()).split('\n').filter((line) => line.startsWith('kube_cost_pod_hourly_usd{')).length;
        return namespaces.some((n) => (n.totalCostUsd ?? 0) > 0) && podSeries > 0;
      },
      NEWCOMER_WAIT_MILLIS,
      'namespace costs from the API and pod series from the exporter',
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\nlast output of kcost up:\n${up?.output.slice(-40).join('\n')}`);
    });
    expect(namespaces.length).toBeGreaterThan(0);
    expect(podSeries).toBeGreaterThan(0);

    // Every container-window of the backfill is priced and loaded: as many pod_cost rows before the backfill's
    // end as the simulator published usage samples for it (it prints what it published), and nothing at all
    // went to the dead-letter topic, LATE_SAMPLE above all (a backfill racing the processor's start is not late).
    const backfill = up.output.map(parseJson).find((line): line is SimulatorSummary => line?.speed === 'max');
    expect(backfill, 'the backfill simulator printed its summary').toBeDefined();
    const samples = backfill?.published[TOPICS.usage.name]?.UsageSample ?? 0;
    expect(samples).toBeGreaterThan(1000);
    const database = new pg.Client({ connectionString: databaseUrl.toString() });
    await database.connect();
    let loaded = 0;
    try {
      await waitFor(
        async () => {
          const { rows } = await database.query<{ n: string }>('SELECT count(*) AS n FROM pod_cost WHERE window_start < $1', [backfill?.end]);
          loaded = Number(rows[0]?.n);
          return loaded >= samples;
        },
        150_000,
        `${samples} backfilled container-windows in pod_cost`,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}: ${loaded} loaded`);
      });
    } finally {
      await database.end();
    }
    expect(loaded).toBe(samples);
    const kafka = createKafka({ brokers: brokers.split(','), clientId: 'npm-start-test', logger: silentLogger() });
    expect(await topicSize(kafka, TOPICS.deadLetter.name)).toBe(0);

    // kcost up runs kcost recommend and the sink loads its topic. A container's advice at an hour boundary is
    // published once every costs partition is 5 minutes past it in event time; the 3 h backfill passes its first
    // boundary by two hours, so that boundary was published during the backfill and needs no real-time wait. Not
    // every container is in it: in a backfill the processor's node partitions run at different speeds, and a
    // window that reaches the recommender after its boundary was published counts from the next one (seen once
    // for a DaemonSet's container). So: the HPA-managed storefront and at least half the containers priced
    // before the first boundary, and nothing the pipeline did not price.
    const firstBoundary = Math.floor(Date.parse(backfill?.start ?? '') / HOUR) * HOUR + HOUR;
    const expectedKeys = await targetsPricedBefore(databaseUrl.toString(), firstBoundary);
    expect(expectedKeys.length).toBeGreaterThan(5);
    let advice: Recommendation[] = [];
    const advised = () => expectedKeys.filter((key) => advice.some((r) => r.key === key));
    await waitFor(
      async () => {
        const response = await fetch(`http://127.0.0.1:${ports.api}/v1/recommendations?cluster=sim&kind=WORKLOAD_RESOURCES&sort=key&limit=5000`);
        advice = response.ok ? ((await response.json()) as { recommendations: Recommendation[] }).recommendations : [];
        return advice.some((r) => r.workloadResources?.target.workloadName === 'storefront') && advised().length * 2 >= expectedKeys.length;
      },
      60_000,
      `recommendations for the storefront and half the ${expectedKeys.length} workload containers priced before ${new Date(firstBoundary).toISOString()}`,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}: advised ${advised().join(', ')}`);
    });
    const priced = new Set(await targetsPricedBefore(databaseUrl.toString(), Date.now()));
    expect(advice.filter((r) => !priced.has(r.key)).map((r) => r.key)).toEqual([]);
    // Three simulated hours are less than the 24 h of history the kcost strategy needs: the advice says so and changes nothing.
    for (const record of advice) {
      expect(record.strategy.name, record.key).toBe('kcost');
      expect(record.reasons, record.key).toContain('INSUFFICIENT_HISTORY');
      expect([record.workloadResources?.cpu.action, record.workloadResources?.memory.action], record.key).toEqual(['NONE', 'NONE']);
      expect(record.workloadResources?.evidence.requiredHistoryHours, record.key).toBe(24);
      expect(record.workloadResources?.evidence.historyHours, record.key).toBeLessThan(24);
      expect(record.saving.monthlySavingsUsd, record.key).toBe(0);
    }
    // The simulator's storefront Deployment runs under an HPA on 60 % CPU (2 to 6 replicas): its advice says so,
    // and prices the replicas the HPA reported at that hour.
    const storefront = advice.find((r) => r.workloadResources?.target.workloadName === 'storefront');
    expect(storefront?.reasons).toContain('HPA_MANAGED');
    expect(storefront?.workloadResources?.hpa).toEqual([expect.objectContaining({ resource: 'cpu', currentTargetUtilizationPercent: 60, recommendedTargetUtilizationPercent: null })]);
    expect(storefront?.workloadResources?.pricing.replicas).toBeGreaterThanOrEqual(2);
    expect(storefront?.workloadResources?.pricing.replicas).toBeLessThanOrEqual(6);

    // kcost up runs kcost savings every minute: once the backfill's hours are stored, every kind of cluster-savings
    // advice reaches the topic, the database and the API, /v1/savings adds them up, the plugin prints the total
    // and the exporter serves them.
    const savingsKinds = ['NODE_POOL', 'SPOT_WORKLOAD', 'COMMITMENT', 'ARM_WORKLOAD'];
    let savings: Recommendation[] = [];
    await waitFor(
      async () => {
        const response = await fetch(`http://127.0.0.1:${ports.api}/v1/recommendations?cluster=sim&limit=5000`);
        savings = response.ok ? ((await response.json()) as { recommendations: Recommendation[] }).recommendations.filter((r) => savingsKinds.includes(r.kind)) : [];
        return savingsKinds.every((kind) => savings.some((r) => r.kind === kind));
      },
      120_000,
      `cluster-savings advice of every kind (${savingsKinds.join(', ')})`,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}: got ${[...new Set(savings.map((r) => r.kind))].join(', ')}\n${up?.output.slice(-20).join('\n')}`);
    });
    // Which simulated Deployments run on on-demand nodes depends on the placement: each spot record names all five rules.
    for (const record of savings.filter((r) => r.spotWorkload)) expect(record.spotWorkload?.rules.map((r) => r.rule).sort(), record.key).toEqual(['CONTROLLER_KIND', 'DISRUPTION_BUDGET', 'NOT_ALREADY_SPOT', 'NO_LOCAL_STORAGE', 'REPLICAS']);
    // kcost savings republishes every minute while the simulation goes on, so the plugin's total is compared with
    // the API's only when /v1/savings answered the same total just before and just after the plugin ran.
    type Summary = { totalMonthlySavingsUsd: number; recommendations: unknown[] };
    const savingsSummary = async (): Promise<Summary> => (await (await fetch(`http://127.0.0.1:${ports.api}/v1/savings?cluster=sim`)).json()) as Summary;
    let summary: Summary, after: Summary, lastLine: string;
    for (let attempt = 1; ; attempt++) {
      summary = await savingsSummary();
      const plugin = await run('node', [join(REPO, 'bin', 'kubectl-cost.js'), 'savings', '--api-url', `http://127.0.0.1:${ports.api}`]);
      after = await savingsSummary();
      lastLine = plugin.stdout.trimEnd().split('\n').at(-1) ?? '';
      if (after.totalMonthlySavingsUsd === summary.totalMonthlySavingsUsd || attempt === 5) break;
    }
    expect(after.totalMonthlySavingsUsd, 'the savings total stayed the same over one plugin run in five tries').toBe(summary.totalMonthlySavingsUsd);
    // The advice set may shrink as the simulation goes on (tombstones), so only "some advice" is asked of the summary.
    expect(summary.recommendations.length).toBeGreaterThan(0);
    expect(Number.isFinite(summary.totalMonthlySavingsUsd)).toBe(true);
    expect(lastLine).toMatch(new RegExp(`^TOTAL .* ${summary.totalMonthlySavingsUsd.toFixed(2)} `));
    await waitFor(
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${ports.exporter}/metrics`)).text();
        return savingsKinds.every((kind) => text.includes(`kube_cost_advice_monthly_savings_usd{cluster="sim",kind="${kind}"`));
      },
      30_000,
      'the exporter serving the advice of every kind',
    );

    up.child.kill('SIGINT');
    const code = await Promise.race([up.exited, new Promise((resolve) => setTimeout(() => resolve('still running after 60 s'), 60_000))]);
    expect(code, up.output.slice(-20).join('\n')).toBe(0);
  }, 600_000);
});

/** The recommendation keys (cluster/namespace/Kind/name/container; a bare pod is Pod/<name>) of the containers priced before `beforeMillis`. */
async function targetsPricedBefore(databaseUrl: string, beforeMillis: number): Promise<string[]> {
  const database = new pg.Client({ connectionString: databaseUrl });
  await database.connect();
  try {
    const { rows } = await database.query<{ key: string }>(
      `SELECT DISTINCT concat_ws('/', cluster, namespace, CASE WHEN workload_kind = '' THEN 'Pod' ELSE workload_kind END, CASE WHEN workload_kind = '' THEN pod_name ELSE workload_name END, container) AS key
         FROM pod_cost WHERE window_start < $1`,
      [new Date(beforeMillis)],
    );
    return rows.map((row) => row.key).sort();
  } finally {
    await database.end();
  }
}
