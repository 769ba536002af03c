import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Run from bench/ by the tests and from dist/bench/ by the benchmarks: the checkout is found by looking up for bin/kcost.js.
function checkoutRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'bin', 'kcost.js'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no bin/kcost.js above ${from}`);
  }
}

export const REPO = checkoutRoot(dirname(fileURLToPath(import.meta.url)));

/** A `kcost` child process started from the built bin/kcost.js, with its output kept for failure messages. */
export interface KcostProcess {
  readonly child: ChildProcess;
  readonly output: string[];
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  readonly exited: Promise<number | string>;
}

export function startKcost(args: readonly string[], env: Record<string, string> = {}): KcostProcess {
  const child = spawn(process.execPath, [join(REPO, 'bin', 'kcost.js'), ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  // KCOST_TEST_LOG_DIR keeps every line of every process, one file each (the output kept here is only the last 400).
  const logFile = process.env.KCOST_TEST_LOG_DIR ? join(process.env.KCOST_TEST_LOG_DIR, `${args[0] ?? 'kcost'}-${Date.now()}-${child.pid ?? 0}.log`) : null;
  const keep = (chunk: Buffer) => {
    if (logFile) appendFileSync(logFile, chunk);
    output.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
    if (output.length > 400) output.splice(0, output.length - 400);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { child, output, exited };
}

/** Runs `kcost <args>` to completion and returns its exit code and output. */
export async function runKcost(args: readonly string[]): Promise<{ code: number | string; output: string[] }> {
  const run = startKcost(args);
  const code = await run.exited;
  return { code, output: run.output };
}

/** A small seeded generator, so a failing run can be repeated with the seed it prints. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
