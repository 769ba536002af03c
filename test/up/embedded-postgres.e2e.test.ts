import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/kafka.js';
import { freePortBlock } from '../support/ports.js';
import { REPO } from '../../bench/kcost-process.js';

// A newcomer at a terminal, on a machine without PostgreSQL: no DATABASE_URL,
// and nothing answers where kcost up looks for a local server
// (--local-postgres, a free port here while the machine's own server keeps
// 5432). kcost up must start the embedded PostgreSQL there, say so, reach
// costs and prices on the API, show readable logs and a summary line that moves, log
// nothing above INFO for two minutes of real-time running, and stop the
// server with itself. util-linux's script(1) gives it a real pseudo-terminal.

const run = promisify(execFile);
const QUIET_MILLIS = 120_000;

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

interface TerminalRun {
  readonly output: string[];
  readonly exited: Promise<number | string>;
  running(): boolean;
  /** Ctrl-C: SIGINT to kcost itself, under script(1). */
  interrupt(): void;
}

function startOnTerminal(args: readonly string[], env: Record<string, string>): TerminalRun {
  // script(1) runs the command through $SHELL -c, else /bin/sh: bash execs a lone command, dash forks it, so
  // `exec` makes kcost script's own child either way, and Ctrl-C (SIGINT to that child) reaches kcost.
  const command = `exec ${[process.execPath, join(REPO, 'bin', 'kcost.js'), ...args].map((a) => `'${a}'`).join(' ')}`;
  const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  let partial = '';
  const keep = (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    // Colours off and the terminal's carriage returns dropped: the text a person reads.
    output.push(...lines.map((line) => line.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r$/, '')).filter((line) => line !== ''));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    output,
    exited,
    running: () => child.exitCode === null,
    interrupt: () => {
      const pid = child.pid ?? 0;
      const kcost = Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0]);
      process.kill(kcost, 'SIGINT');
    },
  };
}

/** Log lines above INFO, as pino-pretty prints them. */
const aboveInfo = (lines: readonly string[]) => lines.filter((line) => /^\[\d\d:\d\d:\d\d\] (WARN|ERROR|FATAL)\b/.test(line));

/** The summary lines kcost up printed: samples in, costs out, rows in the database. */
const summaries = (lines: readonly string[]) =>
  lines.flatMap((line) => {
    const match = /^kcost: ([\d,]+) usage samples in, ([\d,]+) pod costs out, ([\d,]+) in the database/.exec(line);
    return match ? [match.slice(1, 4).map((n) => Number(n.replace(/,/g, '')))] : [];
  });

describe('kcost up with no PostgreSQL anywhere', () => {
  const state = mkdtempSync(join(tmpdir(), 'kcost-embedded-broker-'));
  let brokerEnv: NodeJS.ProcessEnv;
  let brokers = '';
  let pgPort = 0;
  let ports: { api: number; exporter: number; health: number };
  let up: TerminalRun | undefined;

  beforeAll(async () => {
    const [kafkaPort = 0, controllerPort = 0, api = 0, exporter = 0, health = 0] = await freePortBlock(12);
    [pgPort = 0] = await freePortBlock(1);
    ports = { api, exporter, health };
    brokerEnv = { ...process.env, KCOST_KAFKA_STATE: state, KCOST_KAFKA_PORT: String(kafkaPort), KCOST_KAFKA_CONTROLLER_PORT: String(controllerPort), KCOST_KAFKA_HEAP: '384m' };
    brokers = (await run('bash', [join(REPO, 'scripts', 'kafka.sh'), 'start'], { env: brokerEnv, timeout: 120_000 })).stdout.trim();
  }, 150_000);

  afterAll(async () => {
    if (up?.running()) up.interrupt();
    await run('bash', [join(REPO, 'scripts', 'kafka.sh'), 'stop'], { env: brokerEnv }).catch(() => undefined);
    rmSync(state, { recursive: true, force: true });
    rmSync(join(tmpdir(), `kcost-postgres-${pgPort}`), { recursive: true, force: true });
  }, 60_000);

  it('starts an embedded PostgreSQL, serves costs from it, stays quiet, and stops it on Ctrl-C', async () => {
    expect(await answers(pgPort)).toBe(false);
    up = startOnTerminal(
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
        if (!up?.running()) throw new Error(`kcost up exited early:\n${up?.output.join('\n')}`);
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
    // The simulator's prices reach price_history (the sink is given the prices topic), so estimates can use them.
    await waitFor(
      async () => {
        const prices = await fetch(`http://127.0.0.1:${ports.api}/v1/prices`).catch(() => null);
        return prices?.ok === true && ((await prices.json()) as { skus: Array<{ current: unknown }> }).skus.some((sku) => sku.current !== null);
      },
      30_000,
      'a current price from /v1/prices',
    );

    // Two minutes of the real-time simulator after the backfill: nothing routine is logged above INFO.
    const from = up.output.length;
    await new Promise((resolve) => setTimeout(resolve, QUIET_MILLIS));
    expect(up.running()).toBe(true);
    expect(aboveInfo(up.output.slice(from))).toEqual([]);
    // Readable logs from every role in the process, and a summary line that moves.
    // (The one-shot roles' results, such as the topics created, stay JSON on stdout.)
    expect(up.output.filter((line) => line.startsWith('{"level"'))).toEqual([]);
    expect(up.output.some((line) => /^\[\d\d:\d\d:\d\d\] INFO: api: query API listening/.test(line))).toBe(true);
    const figures = summaries(up.output);
    expect(figures.length).toBeGreaterThanOrEqual(2);
    const [first, last] = [figures[0] ?? [], figures.at(-1) ?? []];
    expect(last.every((n) => n > 0)).toBe(true);
    expect(last[0]).toBeGreaterThan(first[0] ?? 0);

    up.interrupt();
    const code = await Promise.race([up.exited, new Promise((resolve) => setTimeout(() => resolve('still running after 60 s'), 60_000))]);
    expect(code, up.output.slice(-20).join('\n')).toBe(0);
    // The server stops with kcost: its port closes and its pid file goes.
    await waitFor(async () => !(await answers(pgPort)) && !existsSync(join(tmpdir(), `kcost-postgres-${pgPort}`, 'postmaster.pid')), 15_000, 'the embedded PostgreSQL to stop');
  }, 420_000);
});
