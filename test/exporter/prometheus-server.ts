import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../support/ports.js';

/** Debian's prometheus package installs the server here (CI installs it for promtool). */
export const PROMETHEUS_BINARY = '/usr/bin/prometheus';

export function hasPrometheus(): boolean {
  return existsSync(PROMETHEUS_BINARY);
}

export { freePort };

/** One series of a range-vector query: its labels and its raw samples, timestamps in seconds. */
export interface RawSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly values: ReadonlyArray<readonly [number, number]>;
}

export interface PrometheusServer {
  readonly url: string;
  /** Raw samples of `selector` over the `seconds` up to `at` (seconds since the epoch), as stored: an instant query of a range vector. */
  rawSamples(selector: string, seconds: number, at: number): Promise<RawSeries[]>;
  /** `expr` evaluated every `stepSeconds` from `start` to `end` (seconds since the epoch). */
  range(expr: string, start: number, end: number, stepSeconds: number): Promise<RawSeries[]>;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  readonly targets: readonly string[];
  readonly ruleFiles: readonly string[];
  readonly jobName: string;
  readonly scrapeIntervalSeconds: number;
  /** More scrape jobs, as prometheus.yml writes them (TLS, authorization, basic_auth). */
  readonly extraScrapeConfigs?: readonly object[];
}

/**
 * A real Prometheus server on a free loopback port with a storage folder of
 * its own, scraping `targets` and evaluating `ruleFiles` at the given
 * interval. Resolves once it answers /-/ready.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'kcost-prometheus-'));
  const interval = `${options.scrapeIntervalSeconds}s`;
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    rule_files: options.ruleFiles,
    scrape_configs: [...(options.targets.length > 0 ? [{ job_name: options.jobName, static_configs: [{ targets: options.targets }] }] : []), ...(options.extraScrapeConfigs ?? [])],
  };
  writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let stderr = '';
  const child: ChildProcess = spawn(
    PROMETHEUS_BINARY,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${stderr}`);
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not get ready: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const api = async (path: string, params: Record<string, string>): Promise<RawSeries[]> => {
    const response = await fetch(`${url}${path}?${new URLSearchParams(params).toString()}`);
    const body = (await response.json()) as { status: string; error?: string; data?: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> } };
    if (body.status !== 'success' || !body.data) throw new Error(`prometheus ${path} ${JSON.stringify(params)}: ${body.error ?? response.status}`);
    return body.data.result.map((r) => ({ metric: r.metric, values: r.values.map(([t, v]) => [t, Number(v)] as const) }));
  };
  return {
    url,
    rawSamples: (selector, seconds, at) => api('/api/v1/query', { query: `${selector}[${seconds}s]`, time: String(at) }),
    range: (expr, start, end, stepSeconds) => api('/api/v1/query_range', { query: expr, start: String(start), end: String(end), step: String(stepSeconds) }),
    stop,
  };
}
