// Start-up cost of `kcost`, for comparing two builds (A/B) in one session on
// a shared machine, the builds taking turns run after run: CPU (user +
// system) and wall time of `kcost --help` and `kcost process --help` to their
// exit, and of `kcost process` until its /healthz and then its /readyz answer
// 200 (a broker is needed for that one: KAFKA_BROKERS).
//
//   npm run build && KAFKA_BROKERS=127.0.0.1:9092 node dist/bench/startup.js \
//     --bin /path/to/checkout-a/bin/kcost.js --bin bin/kcost.js --runs 7
//
// Prints each run and the medians per build. Linux only: the CPU comes from
// /proc (a process's own at the moment its /healthz answers; that of an
// exited child from this process's cutime and cstime).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { bin: { type: 'string', multiple: true }, runs: { type: 'string', default: '7' } } });
const bins = (values.bin ?? ['bin/kcost.js']).map((bin) => resolve(bin));
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const TICKS_PER_SECOND = 100;

interface Sample {
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
}

/** CPU seconds of /proc/<pid>/stat: utime + stime of the process itself, or with `children`, cutime + cstime of its reaped children. */
function cpuSeconds(pid: number | 'self', children = false): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const [user, system] = children ? [fields[13], fields[14]] : [fields[11], fields[12]];
  return (Number(user) + Number(system)) / TICKS_PER_SECOND;
}

/** A TCP port free on 127.0.0.1 now, for the health server. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** `kcost <args>` run to its exit. */
function toExit(bin: string, args: string[]): Sample {
  const cpuBefore = cpuSeconds('self', true);
  const started = performance.now();
  const result = spawnSync(process.execPath, [bin, ...args], { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`${bin} ${args.join(' ')} exited with ${result.status}`);
  return { cpuSeconds: cpuSeconds('self', true) - cpuBefore, wallSeconds: (performance.now() - started) / 1000 };
}

/** `kcost process` from its start until /healthz, then /readyz, answer 200; then stopped with SIGTERM. */
async function processToReady(bin: string): Promise<{ health: Sample; ready: Sample }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [bin, 'process', '--brokers', brokers, '--health-port', String(port), '--group-id', 'kcost-bench-startup', '--log-level', 'warn'], { stdio: 'ignore' });
  const exited = new Promise((done) => child.on('exit', done));
  const answers = (path: string) => fetch(`http://127.0.0.1:${port}${path}`).then((res) => res.status === 200, () => false);
  const sampleWhen = async (path: string): Promise<Sample> => {
    while (!(await answers(path))) {
      if (child.exitCode !== null) throw new Error(`kcost process exited with ${child.exitCode} before ${path} answered`);
      await new Promise((done) => setTimeout(done, 10));
    }
    return { cpuSeconds: cpuSeconds(child.pid ?? 0), wallSeconds: (performance.now() - started) / 1000 };
  };
  try {
    const health = await sampleWhen('/healthz');
    return { health, ready: await sampleWhen('/readyz') };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const measures = ['--help', 'process --help', 'process to /healthz', 'process to /readyz'] as const;
const samples = new Map(bins.map((bin) => [bin, new Map(measures.map((m) => [m, [] as Sample[]]))]));
for (let run = 1; run <= Number(values.runs); run++) {
  for (const bin of bins) {
    const row = samples.get(bin);
    const help = toExit(bin, ['--help']);
    const processHelp = toExit(bin, ['process', '--help']);
    const { health, ready } = await processToReady(bin);
    row?.get('--help')?.push(help);
    row?.get('process --help')?.push(processHelp);
    row?.get('process to /healthz')?.push(health);
    row?.get('process to /readyz')?.push(ready);
    console.log(JSON.stringify({ run, bin, help, processHelp, health, ready }));
  }
}
for (const [bin, row] of samples) {
  for (const [measure, list] of row) {
    const cpu = median(list.map((s) => s.cpuSeconds)).toFixed(2);
    const wall = median(list.map((s) => s.wallSeconds)).toFixed(2);
    console.log(`${bin}  ${measure.padEnd(20)}  CPU ${cpu} s  wall ${wall} s  (medians of ${list.length})`);
  }
}
