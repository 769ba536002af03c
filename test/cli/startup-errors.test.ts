import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../../bench/kcost-process.js';
import { testBrokers } from '../support/kafka.js';
import { freePortBlock } from '../support/ports.js';

// What a user sees when a role cannot work: one line naming the component,
// its address and what to do, and a non-zero exit in bounded time, instead of
// stack traces, retries for half a minute, or a server that answers 503 forever.

/** Runs `kcost <args>` (or another command) to its end; fails the test when it outlives `limitMillis`. */
function runBounded(command: string, args: string[], limitMillis: number, env: Record<string, string> = {}): Promise<{ code: number | null; output: string; millis: number }> {
  const started = Date.now();
  const child = spawn(command, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} still ran after ${limitMillis} ms:\n${output}`));
    }, limitMillis);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, millis: Date.now() - started });
    });
  });
}

const kcost = (args: string[], limitMillis: number) => runBounded(process.execPath, [join(REPO, 'bin', 'kcost.js'), ...args], limitMillis, { DATABASE_URL: '', KAFKA_BROKERS: '' });

function listening(port: number, host = '0.0.0.0'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

describe('start-up errors', () => {
  let dead = 0;
  const held: Server[] = [];
  beforeAll(async () => {
    [dead = 0] = await freePortBlock(1);
  });
  afterAll(async () => {
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  // kcost up listens on the API and exporter ports and on a health port per role from --first-health-port on.
  it('kcost up with an unreachable database names PostgreSQL and its address', async () => {
    const [api = 0, exporter = 0, health = 0] = await freePortBlock(10);
    const result = await kcost(['up', '--database-url', `postgres://postgres:secret@127.0.0.1:${dead}/kcost`, '--brokers', testBrokers().join(','), '--api-port', String(api), '--exporter-port', String(exporter), '--first-health-port', String(health)], 20_000);
    expect(result.code).toBe(1);
    expect(lines(result.output)).toEqual([`kcost up: cannot reach PostgreSQL at 127.0.0.1:${dead}/kcost (connect ECONNREFUSED 127.0.0.1:${dead}): start it, or point --database-url / DATABASE_URL at yours`]);
  });

  it('kcost up with an unreachable broker names Kafka and its address before it starts any database', async () => {
    const [postgres = 0, api = 0, exporter = 0, health = 0] = await freePortBlock(11);
    const result = await kcost(['up', '--local-postgres', `127.0.0.1:${postgres}`, '--brokers', `127.0.0.1:${dead}`, '--api-port', String(api), '--exporter-port', String(exporter), '--first-health-port', String(health)], 30_000);
    expect(result.code).toBe(1);
    expect(lines(result.output)).toEqual([`kcost up: cannot reach the Kafka broker at 127.0.0.1:${dead} (connect ECONNREFUSED 127.0.0.1:${dead}) within 10 s: start one (npm run kafka -- start) or point --brokers / KAFKA_BROKERS at yours`]);
  });

  it('kcost api with an unreachable database stops at start instead of serving 503', async () => {
    const result = await kcost(['api', '--database-url', `postgres://postgres@127.0.0.1:${dead}/kcost`, '--port', '0'], 20_000);
    expect(result.code).toBe(1);
    expect(lines(result.output)).toEqual([`kcost api: cannot reach PostgreSQL at 127.0.0.1:${dead}/kcost (connect ECONNREFUSED 127.0.0.1:${dead}): start it, or point --database-url / DATABASE_URL at yours`]);
  });

  it('kcost process with an unreachable broker fails in one error line within seconds, without stack traces', async () => {
    const result = await kcost(['process', '--brokers', `127.0.0.1:${dead}`, '--health-port', String((await freePortBlock(1))[0])], 30_000);
    expect(result.code).toBe(1);
    expect(result.millis).toBeLessThan(20_000);
    const errors = lines(result.output).filter((line) => (JSON.parse(line) as { level: number }).level >= 40);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`cannot reach the Kafka broker at 127.0.0.1:${dead} (connect ECONNREFUSED 127.0.0.1:${dead}) within 10 s: start one (npm run kafka -- start) or point --brokers / KAFKA_BROKERS at yours`);
    expect(result.output).not.toContain('"stack"');
  });

  it('a second kcost up names the ports another process holds before it starts anything', async () => {
    const [api = 0, exporter = 0, health = 0] = await freePortBlock(10);
    held.push(await listening(api), await listening(health + 1, '127.0.0.1'));
    const result = await kcost(['up', '--simulate', '--database-url', `postgres://postgres@127.0.0.1:${dead}/kcost`, '--brokers', `127.0.0.1:${dead}`, '--api-port', String(api), '--exporter-port', String(exporter), '--first-health-port', String(health)], 20_000);
    expect(result.code).toBe(1);
    expect(lines(result.output)).toEqual([
      `kcost up: ports ${api} (query API, --api-port), ${health + 1} (sink health, --first-health-port) are taken by another process: is kcost already running? Stop it, or choose other ports with the flags named`,
    ]);
    expect(result.output).not.toContain('kcost is up');
  });

  it('scripts/kafka.sh names the controller port when that one is taken', async () => {
    const [broker = 0, controller = 0] = await freePortBlock(2);
    held.push(await listening(controller, '127.0.0.1'));
    const state = mkdtempSync(join(tmpdir(), 'kcost-kafka-ports-'));
    try {
      const result = await runBounded('bash', [join(REPO, 'scripts', 'kafka.sh'), 'start'], 20_000, { KCOST_KAFKA_STATE: state, KCOST_KAFKA_PORT: String(broker), KCOST_KAFKA_CONTROLLER_PORT: String(controller) });
      expect(result.code).toBe(1);
      expect(lines(result.output)).toEqual([
        `kafka.sh: port ${controller} (controller, KCOST_KAFKA_CONTROLLER_PORT) is taken by another process: free it, set the variable named to another port, or set KAFKA_BROKERS to use a broker that runs already`,
      ]);
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });
});
