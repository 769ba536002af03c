import type { Recommendation, ResourceAdvice } from '../codec/records.generated.js';
import { col, type ColumnSpec, type TableSpec } from './table-spec.js';

type R = Recommendation;

const wr = (r: R) => r.workloadResources;
/** The workload a record is about, for the kinds that name one. */
const workloadOf = (r: R) => wr(r)?.target ?? r.idleWorkload?.target ?? r.spotWorkload?.target ?? r.armWorkload?.target ?? null;

/** The six figures of one resource's advice, as `<resource>_<figure>_<unit>` columns; null for kinds without a workload. */
function adviceColumns(resource: 'cpu' | 'memory', unit: 'cores' | 'bytes'): Array<ColumnSpec<R>> {
  const advice = (r: R): ResourceAdvice | undefined => wr(r)?.[resource];
  const figure = (name: string, get: (a: ResourceAdvice) => number | null) =>
    col<R>(`${resource}_${name}_${unit}`, 'float8', (r) => {
      const a = advice(r);
      return a ? get(a) : null;
    }, true);
  return [
    col<R>(`${resource}_action`, 'text', (r) => advice(r)?.action ?? null, true),
    figure('current_request', (a) => a.currentRequest),
    figure('current_limit', (a) => a.currentLimit),
    figure('recommended_request', (a) => a.recommendedRequest),
    figure('recommended_limit', (a) => a.recommendedLimit),
    figure('lower_bound', (a) => a.lowerBound),
    figure('upper_bound', (a) => a.upperBound),
  ];
}

/**
 * recommendation_history: every version of a recommendation, as flat columns
 * a reader can filter and sum. The recommendation table has the same columns
 * followed by `record` (RECOMMENDATION_COLUMNS).
 */
export const RECOMMENDATION_HISTORY_TABLE: TableSpec<'Recommendation'> = {
  table: 'recommendation_history',
  schema: 'Recommendation',
  partitionTime: (r) => r.generatedAt,
  check: (r) => {
    if (r.cluster === '') return 'cluster is empty';
    if (r.kind === 'WORKLOAD_RESOURCES' && r.workloadResources === null) return 'workloadResources is missing for a WORKLOAD_RESOURCES recommendation';
    if (r.kind === 'ORPHANED_VOLUME' && r.orphanedVolume === null) return 'orphanedVolume is missing for an ORPHANED_VOLUME recommendation';
    if (r.kind === 'DAEMONSET_ONLY_NODE' && r.daemonSetOnlyNode === null) return 'daemonSetOnlyNode is missing for a DAEMONSET_ONLY_NODE recommendation';
    if (r.kind === 'IDLE_WORKLOAD' && r.idleWorkload === null) return 'idleWorkload is missing for an IDLE_WORKLOAD recommendation';
    if (r.kind === 'NODE_POOL' && r.nodePool === null) return 'nodePool is missing for a NODE_POOL recommendation';
    if (r.kind === 'SPOT_WORKLOAD' && r.spotWorkload === null) return 'spotWorkload is missing for a SPOT_WORKLOAD recommendation';
    if (r.kind === 'COMMITMENT' && r.commitment === null) return 'commitment is missing for a COMMITMENT recommendation';
    if (r.kind === 'ARM_WORKLOAD' && r.armWorkload === null) return 'armWorkload is missing for an ARM_WORKLOAD recommendation';
    const confidence = r.confidence;
    if (confidence < 0 || confidence > 1) return `confidence is not within 0..1: ${confidence}`;
    return undefined;
  },
  columns: [
    col<R>('key', 'text', (r) => r.key),
    col<R>('kind', 'text', (r) => r.kind),
    col<R>('cluster', 'text', (r) => r.cluster),
    // Every kind with a namespace (or workload) fills it, so ?namespace= and ?workloadName= filter them too; null for the others.
    col<R>('namespace', 'text', (r) => workloadOf(r)?.namespace ?? r.orphanedVolume?.target.namespace ?? null, true),
    col<R>('workload_kind', 'text', (r) => workloadOf(r)?.workloadKind ?? null, true),
    col<R>('workload_name', 'text', (r) => workloadOf(r)?.workloadName ?? null, true),
    col<R>('container', 'text', (r) => wr(r)?.target.container ?? null, true),
    col<R>('generated_at', 'timestamptz', (r) => r.generatedAt),
    col<R>('confidence', 'float8', (r) => r.confidence),
    col<R>('risk', 'text', (r) => r.risk),
    col<R>('reasons', 'text[]', (r) => r.reasons),
    col<R>('strategy', 'text', (r) => r.strategy.name),
    col<R>('strategy_parameters', 'jsonb', (r) => r.strategy.parameters),
    col<R>('current_monthly_usd', 'float8', (r) => r.saving.currentMonthlyUsd),
    col<R>('recommended_monthly_usd', 'float8', (r) => r.saving.recommendedMonthlyUsd),
    col<R>('monthly_savings_usd', 'float8', (r) => r.saving.monthlySavingsUsd),
    col<R>('price_sources', 'text[]', (r) => r.saving.priceSources),
    ...adviceColumns('cpu', 'cores'),
    ...adviceColumns('memory', 'bytes'),
    col<R>('hpa', 'jsonb', (r) => wr(r)?.hpa ?? null, true),
    col<R>('history_hours', 'float8', (r) => wr(r)?.evidence.historyHours ?? null, true),
    col<R>('observed_hours', 'float8', (r) => wr(r)?.evidence.observedHours ?? null, true),
    col<R>('sample_count', 'int8', (r) => wr(r)?.evidence.sampleCount ?? null, true),
    col<R>('first_sample_at', 'timestamptz', (r) => wr(r)?.evidence.firstSampleAt ?? null, true),
    col<R>('last_sample_at', 'timestamptz', (r) => wr(r)?.evidence.lastSampleAt ?? null, true),
    col<R>('oom_kills', 'int4', (r) => wr(r)?.evidence.oomKills ?? null, true),
    col<R>('restart_count', 'int4', (r) => wr(r)?.evidence.restartCount ?? null, true),
    col<R>('required_history_hours', 'float8', (r) => wr(r)?.evidence.requiredHistoryHours ?? null, true),
    col<R>('required_samples', 'int8', (r) => wr(r)?.evidence.requiredSamples ?? null, true),
    col<R>('replicas', 'float8', (r) => wr(r)?.pricing.replicas ?? null, true),
    col<R>('replicas_after', 'float8', (r) => wr(r)?.pricing.replicasAfter ?? null, true),
    col<R>('cpu_core_hour_usd', 'float8', (r) => wr(r)?.pricing.cpuCoreHourUsd ?? null, true),
    col<R>('memory_gib_hour_usd', 'float8', (r) => wr(r)?.pricing.memoryGibHourUsd ?? null, true),
  ],
};

/** The latest-per-key table: history's columns, then the whole record as JSON (what /v1/recommendations returns). */
export const RECOMMENDATION_TABLE: TableSpec<'Recommendation'> = {
  ...RECOMMENDATION_HISTORY_TABLE,
  table: 'recommendation',
  columns: [...RECOMMENDATION_HISTORY_TABLE.columns, col<R>('record', 'jsonb', (r) => r)],
};
