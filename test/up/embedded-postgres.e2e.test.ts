import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/kafka.js';
import { REPO, startKcost, type KcostProcess } from '../../bench/kcost-process.js';

// A newcomer's machine without PostgreSQL: no DATABASE_URL, and nothing
// answers where kcost up looks for a local server (--local-postgres, a free
// port here while the machine's own server keeps 5432). kcost up must start
// the embedded PostgreSQL there, say so, reach costs on the API, log nothing
// above INFO for two minutes of real-time running, and stop the server with itself.

const run = promisify(execFile);
const QUIET_MILLIS = 120_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/** JSON log lines at WARN (40) or above. */
const aboveInfo = (lines: readonly string[]) =>
  lines.filter((line) => {
    try {
      return ((JSON.parse(line) as { level?: number }).level ?? 0) >= 40;
    } catch {
      return false;
    }
  });

describe('kcost up with no PostgreSQL anywhere', () => {
  const state = mkdtempSync(join(tmpdir(), 'kcost-embedded-broker-'));
  let brokerEnv: NodeJS.ProcessEnv;
  let brokers = '';
  let pgPort = 0;
  let ports: { api: number; exporter: number; health: number };
  let up: KcostProcess | undefined;

  beforeAll(async () => {
    const [kafkaPort, controllerPort, api, exporter, health] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    pgPort = await freePort();
    ports = { api, exporter, health };
    brokerEnv = { ...process.env, KCOST_KAFKA_STATE: state, KCOST_KAFKA_PORT: String(kafkaPort), KCOST_KAFKA_CONTROLLER_PORT: String(controllerPort), KCOST_KAFKA_HEAP: '384m' };
    brokers = (await run('bash', [join(REPO, 'scripts', 'kafka.sh'), 'start'], { env: brokerEnv, timeout: 120_000 })).stdout.trim();
  }, 150_000);

  afterAll(async () => {
    if (up && up.child.exitCode === null) up.child.kill('SIGKILL');
    await run('bash', [join(REPO, 'scripts', 'kafka.sh'), 'stop'], { env: brokerEnv }).catch(() => undefined);
    rmSync(state, { recursive: true, force: true });
    rmSync(join(tmpdir(), `kcost-postgres-${pgPort}`), { recursive: true, force: true });
  }, 60_000);

  it('starts an embedded PostgreSQL, serves costs from it, stays quiet, and stops it on Ctrl-C', async () => {
    expect(await answers(pgPort)).toBe(false);
    up = startKcost(
      [
        'up', '--simulate', '--brokers', brokers, '--local-postgres', `127.0.0.1:${pgPort}`,
        '--api-port', String(ports.api), '--exporter-port', String(ports.exporter), '--first-health-port', String(ports.health),
        '--nodes', '4', '--pods', '30', '--backfill', '1h', '--log-level', 'info',
      ],
      { DATABASE_URL: '', KCOST_DATABASE_URL: '' },
    );
    let namespaces: Array<{ totalCostUsd?: number }> = [];
    await waitFor(
      async () => {
        if (up?.child.exitCode !== null) throw new Error(`kcost up exited early:\n${up?.output.join('\n')}`);
        const allocation = await fetch(`http://127.0.0.1:${ports.api}/v1/allocation?window=24h&aggregate=namespace`).catch(() => null);
        if (!allocation?.ok) return false;
        namespaces = ((await allocation.json()) as { rows: typeof namespaces }).rows;
        return namespaces.some((n) => (n.totalCostUsd ?? 0) > 0);
      },
      120_000,
      'namespace costs from the API over the embedded database',
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\nlast output of kcost up:\n${up?.output.slice(-40).join('\n')}`);
    });
    expect(up.output.join('\n')).toContain(`started an embedded PostgreSQL there (data in ${join(tmpdir(), `kcost-postgres-${pgPort}`)})`);
    expect(up.output.join('\n')).toContain(`database      postgres://postgres@127.0.0.1:${pgPort}/kcost (embedded)`);
    expect(existsSync(join(tmpdir(), `kcost-postgres-${pgPort}`, 'PG_VERSION'))).toBe(true);

    // Two minutes of the real-time simulator after the backfill: nothing routine is logged above INFO.
    const from = up.output.length;
    await new Promise((resolve) => setTimeout(resolve, QUIET_MILLIS));
    expect(up.child.exitCode).toBeNull();
    expect(aboveInfo(up.output.slice(from))).toEqual([]);

    up.child.kill('SIGINT');
    const code = await Promise.race([up.exited, new Promise((resolve) => setTimeout(() => resolve('still running after 60 s'), 60_000))]);
    expect(code, up.output.slice(-20).join('\n')).toBe(0);
    expect(await answers(pgPort)).toBe(false);
  }, 420_000);
});
