// `npm run bench [-- name...]`: runs bench/<name>.bench.js (compiled from
// bench/*.bench.ts) against real Kafka and PostgreSQL and writes a Markdown
// and a JSON report to bench/results/. Each figure sits next to a baseline
// measured in the same run, because shared machines are noisy.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Benchmark, BenchResult, Figure } from './bench-types.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Uses KAFKA_BROKERS when set, else starts (and afterwards stops) the local broker. */
function kafkaBrokers(): { brokers: string[]; stop: () => void } {
  if (process.env.KAFKA_BROKERS) return { brokers: process.env.KAFKA_BROKERS.split(','), stop: () => undefined };
  const script = join(repo, 'scripts', 'kafka.sh');
  const wasRunning = (() => {
    try {
      execFileSync('bash', [script, 'status'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  const brokers = execFileSync('bash', [script, 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split(',');
  return { brokers, stop: () => (wasRunning ? undefined : void execFileSync('bash', [script, 'stop'], { stdio: 'inherit' })) };
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(3);
}

function figureRow(figure: Figure): string {
  const baseline = figure.baseline ? `${formatNumber(figure.baseline.value)} ${figure.unit} (${figure.baseline.label})` : '—';
  const ratio = figure.ratio === undefined ? '—' : `${figure.ratio.toFixed(2)}×`;
  const target = figure.target ? `${figure.target.text}: ${figure.target.met ? 'met' : '**missed**'}` : '—';
  return `| ${figure.metric} | ${formatNumber(figure.value)} ${figure.unit} | ${baseline} | ${ratio} | ${target} |`;
}

export function renderMarkdown(results: readonly BenchResult[], machine: Record<string, string | number>): string {
  const lines = ['# kcost benchmark report', '', ...Object.entries(machine).map(([k, v]) => `- ${k}: ${v}`), ''];
  for (const result of results) {
    lines.push(`## ${result.name}`, '', result.description, '', '| figure | value | baseline (same run) | ratio | target |', '|---|---|---|---|---|');
    lines.push(...result.figures.map(figureRow), '');
    if (result.notes.length > 0) lines.push(...result.notes.map((n) => `- ${n}`), '');
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  const available = readdirSync(here)
    .filter((f) => f.endsWith('.bench.js'))
    .map((f) => f.replace(/\.bench\.js$/, ''))
    .sort();
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !available.includes(w));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
    return 2;
  }
  const names = wanted.length > 0 ? wanted : available;
  const kafka = kafkaBrokers();
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const results: BenchResult[] = [];
  try {
    for (const name of names) {
      console.error(`bench: running ${name}`);
      const module = (await import(pathToFileURL(join(here, `${name}.bench.js`)).href)) as { default: Benchmark };
      results.push(await module.default({ kafkaBrokers: kafka.brokers, databaseUrl, log: (line) => console.error(`bench ${name}: ${line}`) }));
    }
  } finally {
    kafka.stop();
  }
  const machine = {
    commit: git(['rev-parse', '--short', 'HEAD']) + (git(['status', '--porcelain']) === '' ? '' : ' (with uncommitted changes)'),
    date: new Date().toISOString(),
    cores: cpus().length,
    'cpu model': cpus()[0]?.model ?? 'unknown',
    'memory GiB': (totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
  };
  const outDir = join(repo, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const markdown = renderMarkdown(results, machine);
  writeFileSync(join(outDir, 'report.md'), markdown);
  writeFileSync(join(outDir, 'report.json'), JSON.stringify({ machine, results }, null, 2));
  console.log(markdown);
  console.error(`bench: wrote ${join(outDir, 'report.md')} and report.json`);
  return 0;
}

process.exitCode = await main();
