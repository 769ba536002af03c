import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/kafka.js';
import { freePort, isReady } from '../support/ports.js';
import { REPO, runKcost, startKcost, type KcostProcess } from '../../bench/kcost-process.js';

// The broker goes away for 20 s while `kcost process` prices a backlog. The
// processor must either carry on by itself once the broker is back, or exit
// non-zero within seconds so that its supervisor restarts it (it resumes from
// its committed offsets); it must never sit alive doing nothing, and it must
// stop on SIGTERM afterwards. The broker is one of the test's own, since it
// is stopped.

const run = promisify(execFile);
const OUTAGE_MILLIS = 20_000;
/** From a failure to the process's exit: the shutdown bound (SHUTDOWN_TIMEOUT_MILLIS) plus a margin. */
const EXIT_BOUND_MILLIS = 30_000;

describe('kcost process through a broker outage', () => {
  const state = mkdtempSync(join(tmpdir(), 'kcost-outage-broker-'));
  let brokerEnv: NodeJS.ProcessEnv;
  let brokers = '';
  let healthPort = 0;
  const started: KcostProcess[] = [];
  const kafka = (command: 'start' | 'stop') => run('bash', [join(REPO, 'scripts', 'kafka.sh'), command], { env: brokerEnv, timeout: 120_000 });

  beforeAll(async () => {
    const [kafkaPort, controllerPort] = [await freePort(), await freePort()];
    healthPort = await freePort();
    brokerEnv = { ...process.env, KCOST_KAFKA_STATE: state, KCOST_KAFKA_PORT: String(kafkaPort), KCOST_KAFKA_CONTROLLER_PORT: String(controllerPort), KCOST_KAFKA_HEAP: '384m' };
    brokers = (await kafka('start')).stdout.trim();
    expect((await runKcost(['topics', '--brokers', brokers])).code).toBe(0);
  }, 150_000);

  afterAll(async () => {
    for (const p of started) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await kafka('stop').catch(() => undefined);
    rmSync(state, { recursive: true, force: true });
  }, 60_000);

  it('recovers by itself or exits non-zero within the bound, and stops on SIGTERM afterwards', async () => {
    const startProcessor = () => {
      const p = startKcost(['process', '--brokers', brokers, '--health-port', String(healthPort), '--log-level', 'info']);
      started.push(p);
      return p;
    };
    let processor = startProcessor();
    await waitFor(() => isReady(healthPort), 60_000, 'the processor to be ready');
    // A backlog to price while the broker goes away.
    started.push(startKcost(['simulate', '--brokers', brokers, '--speed', 'max', '--nodes', '40', '--pods', '1200', '--start', new Date(Date.now() - 4 * 3_600_000).toISOString(), '--duration', '4h', '--health-port', '0']));
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    await kafka('stop');
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MILLIS));
    await kafka('start');

    // Either it is ready again, or it has exited non-zero, within the bound of the broker's return.
    const exitedOrReady = await Promise.race([
      processor.exited.then((code) => ({ exited: code, at: Date.now() })),
      waitFor(() => isReady(healthPort), 120_000, 'ready again').then(() => ({ exited: null, at: Date.now() })),
    ]);
    if (exitedOrReady.exited !== null) {
      expect(exitedOrReady.exited).not.toBe(0);
      const failedAt = processor.output.map((line) => /"time":"([^"]+)".*cost processor failed/.exec(line)?.[1]).find((t) => t !== undefined);
      expect(failedAt, processor.output.slice(-20).join('\n')).toBeDefined();
      expect(exitedOrReady.at - Date.parse(failedAt ?? '')).toBeLessThan(EXIT_BOUND_MILLIS);
      // The supervisor's part: start it again; it resumes from the committed offsets.
      processor = startProcessor();
      await waitFor(() => isReady(healthPort), 120_000, 'the restarted processor to be ready');
    }
    expect(processor.child.exitCode).toBeNull();
    const before = Date.now();
    processor.child.kill('SIGTERM');
    const code = await processor.exited;
    expect(Date.now() - before).toBeLessThan(EXIT_BOUND_MILLIS);
    expect(code).toBe(0);
  }, 400_000);
});
