import type { Counter } from 'prom-client';
import { messageOf } from '../../errors/kcost-error.js';
import type { Logger } from '../../log/logger.js';
import { parseKubeletSummary } from './kubelet-summary-parser.js';
import type { PodDirectory } from './pod-directory.js';
import { parsePodMetricsList } from './podmetrics-parser.js';
import type { Scrape, UsageSourceName } from './usage-observation.js';

/** Reads usage once: one Scrape per scope, failed ones included (never throws). */
export interface UsageSource {
  readonly name: UsageSourceName;
  scrape(signal?: AbortSignal): Promise<Scrape[]>;
}

/** GETs a JSON document from the API server (kubeGetJson with the collector's kubeconfig). */
export type GetJson = (path: string, signal?: AbortSignal) => Promise<unknown>;

export interface SourceDeps {
  readonly get: GetJson;
  readonly directory: PodDirectory;
  readonly logger: Logger;
  /** Counts items skipped as malformed. */
  readonly malformed: Counter;
}

const failed = (scope: string): Scrape => ({ scope, ok: false, containers: [], networks: [] });

/** PodMetrics of every pod from metrics.k8s.io (metrics-server): one cluster-wide scope. */
export function metricsApiSource(deps: SourceDeps): UsageSource {
  const scope = 'metrics-api';
  return {
    name: 'metrics-api',
    async scrape(signal) {
      try {
        const parsed = parsePodMetricsList(await deps.get('/apis/metrics.k8s.io/v1beta1/pods', signal), deps.directory);
        for (const reason of parsed.malformed) deps.logger.warn({ reason }, 'skipping malformed PodMetrics');
        deps.malformed.inc(parsed.malformed.length);
        if (parsed.unknownPods > 0) deps.logger.debug({ pods: parsed.unknownPods }, 'PodMetrics of pods not listed yet');
        return [{ scope, ok: true, containers: parsed.containers, networks: [] }];
      } catch (error) {
        deps.logger.warn({ err: messageOf(error) }, 'reading the metrics API failed');
        return [failed(scope)];
      }
    },
  };
}

/** Each node's kubelet /stats/summary through the API server proxy, a few nodes at a time: one scope per node. */
export function kubeletSummarySource(deps: SourceDeps & { readonly concurrency: number }): UsageSource {
  const scrapeNode = async (node: string, signal?: AbortSignal): Promise<Scrape> => {
    const scope = `node/${node}`;
    try {
      const parsed = parseKubeletSummary(await deps.get(`/api/v1/nodes/${encodeURIComponent(node)}/proxy/stats/summary`, signal), node);
      for (const reason of parsed.malformed) deps.logger.warn({ reason }, 'skipping malformed kubelet summary entry');
      deps.malformed.inc(parsed.malformed.length);
      return { scope, ok: true, containers: parsed.containers, networks: parsed.networks };
    } catch (error) {
      deps.logger.warn({ node, err: messageOf(error) }, 'reading a kubelet summary failed');
      return failed(scope);
    }
  };
  return {
    name: 'kubelet-summary',
    async scrape(signal) {
      const queue = deps.directory.nodes();
      const results: Scrape[] = [];
      const worker = async (): Promise<void> => {
        for (let node = queue.shift(); node !== undefined; node = queue.shift()) results.push(await scrapeNode(node, signal));
      };
      await Promise.all(Array.from({ length: Math.max(1, deps.concurrency) }, worker));
      return results;
    },
  };
}
