import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../../log/logger.js';
import type { PodDirectory } from './pod-directory.js';
import type { UsageSourceName } from './usage-observation.js';
import { kubeletSummarySource, metricsApiSource, type GetJson, type UsageSource } from './usage-sources.js';

/** The configured usage source, with its malformed-item counter registered. */
export function createUsageSource(
  name: UsageSourceName,
  deps: { readonly get: GetJson; readonly directory: PodDirectory; readonly logger: Logger; readonly registry: Registry; readonly concurrency: number },
): UsageSource {
  const malformed = new Counter({ name: 'kcost_usage_items_malformed_total', help: 'Usage items (PodMetrics, summary pods) skipped because they could not be read.', registers: [deps.registry] });
  const common = { get: deps.get, directory: deps.directory, logger: deps.logger, malformed };
  return name === 'kubelet-summary' ? kubeletSummarySource({ ...common, concurrency: deps.concurrency }) : metricsApiSource(common);
}
