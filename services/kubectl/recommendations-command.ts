import { KcostError } from '../errors/kcost-error.js';
import type { Recommendation, ResourceAdvice } from '../recommender/recommendation.js';
import type { CostApi } from './api-client.js';
import { cpuQuantity, memoryQuantity } from './quantity-format.js';
import { RECOMMENDATION_TYPES, type RecommendationType } from './recommendation-types.js';
import { renderPatches, resourcePatches } from './resource-patch.js';
import { ARM_COLUMNS, COMMITMENT_COLUMNS, POOL_COLUMNS, SPOT_COLUMNS, type ArmRow, type CommitmentRow, type PoolRow, type SpotRow } from './savings-tables.js';
import { renderTable, type Column } from './table.js';

export interface RecommendationsOptions {
  readonly cluster: string;
  readonly namespace: string;
  /** Workload kind (Deployment, StatefulSet, ...); empty: all. Only for --type resources. */
  readonly kind: string;
  /** Which advice: resources (right-sizing, the default), idle-workloads, orphaned-volumes (claims no pod mounts) or daemonset-only-nodes. */
  readonly type: RecommendationType;
  readonly minSavingUsd: number | null;
  readonly risk: string;
  readonly output: 'table' | 'json' | 'csv' | 'yaml';
}

/** What the command prints, and notes for stderr (recommendations no patch can apply). */
export interface RecommendationsResult {
  readonly text: string;
  readonly notes: readonly string[];
}

const show = (a: ResourceAdvice, figure: 'Request' | 'Limit'): string => {
  const format = a.resource === 'cpu' ? cpuQuantity : memoryQuantity;
  const current = a[`current${figure}`];
  const recommended = a[`recommended${figure}`];
  const now = current === null ? 'none' : format(current);
  if (a.action === 'KEEP') return now;
  if (a.action === 'NONE') return `${now} (no advice)`;
  const next = recommended === null ? 'none' : format(recommended);
  return next === now ? now : `${now} → ${next}`;
};

/** A time to the minute, UTC. */
const minute = (millis: number): string => new Date(millis).toISOString().slice(0, 16).replace('T', ' ');

type VolumeRow = Recommendation & { orphanedVolume: NonNullable<Recommendation['orphanedVolume']> };

const VOLUME_COLUMNS: ReadonlyArray<Column<VolumeRow>> = [
  { header: 'CLAIM', value: (r) => `${r.orphanedVolume.target.namespace}/${r.orphanedVolume.target.claimName}` },
  { header: 'VOLUME', value: (r) => r.orphanedVolume.target.persistentVolume ?? '(unbound)' },
  { header: 'CLASS', value: (r) => r.orphanedVolume.storageClass },
  { header: 'SIZE', value: (r) => memoryQuantity(r.orphanedVolume.capacityBytes), align: 'right' },
  { header: 'UNMOUNTED SINCE', value: (r) => minute(r.orphanedVolume.unmountedSince) },
  { header: 'LAST POD', value: (r) => r.orphanedVolume.lastMountedBy ?? '(never mounted)' },
  { header: 'SAVING USD/MO', value: (r) => r.saving.monthlySavingsUsd.toFixed(2), align: 'right' },
  { header: 'CONFIDENCE', value: (r) => `${Math.round(r.confidence * 100)}%`, align: 'right' },
  { header: 'RISK', value: (r) => r.risk },
  { header: 'REASONS', value: (r) => r.reasons.join(',') },
];

type IdleRow = Recommendation & { idleWorkload: NonNullable<Recommendation['idleWorkload']> };

const IDLE_COLUMNS: ReadonlyArray<Column<IdleRow>> = [
  { header: 'WORKLOAD', value: (r) => `${r.idleWorkload.target.namespace}/${r.idleWorkload.target.workloadKind}/${r.idleWorkload.target.workloadName}` },
  { header: 'REPLICAS', value: (r) => String(r.idleWorkload.replicas), align: 'right' },
  { header: 'CONTAINERS', value: (r) => r.idleWorkload.containers.map((c) => c.container).join(',') },
  { header: 'CPU P95', value: (r) => r.idleWorkload.containers.map((c) => cpuQuantity(c.cpuP95Cores)).join(',') },
  { header: 'SAVING USD/MO', value: (r) => r.saving.monthlySavingsUsd.toFixed(2), align: 'right' },
  { header: 'CONFIDENCE', value: (r) => `${Math.round(r.confidence * 100)}%`, align: 'right' },
  { header: 'RISK', value: (r) => r.risk },
];

type NodeRow = Recommendation & { daemonSetOnlyNode: NonNullable<Recommendation['daemonSetOnlyNode']> };

const NODE_COLUMNS: ReadonlyArray<Column<NodeRow>> = [
  { header: 'NODE', value: (r) => r.daemonSetOnlyNode.target.node },
  { header: 'INSTANCE TYPE', value: (r) => r.daemonSetOnlyNode.instanceType },
  { header: 'CAPACITY', value: (r) => r.daemonSetOnlyNode.capacityType },
  { header: 'DAEMONSETS ONLY SINCE', value: (r) => minute(r.daemonSetOnlyNode.daemonSetsOnlySince) },
  { header: 'LAST OTHER POD', value: (r) => r.daemonSetOnlyNode.lastWorkloadPod ?? '(none seen)' },
  { header: 'DAEMONSETS', value: (r) => String(r.daemonSetOnlyNode.daemonSets.length), align: 'right' },
  { header: 'SAVING USD/MO', value: (r) => r.saving.monthlySavingsUsd.toFixed(2), align: 'right' },
  { header: 'CONFIDENCE', value: (r) => `${Math.round(r.confidence * 100)}%`, align: 'right' },
  { header: 'RISK', value: (r) => r.risk },
];

type Row = Recommendation & { workloadResources: NonNullable<Recommendation['workloadResources']> };

const COLUMNS: ReadonlyArray<Column<Row>> = [
  { header: 'WORKLOAD', value: (r) => `${r.workloadResources.target.namespace}/${r.workloadResources.target.workloadKind}/${r.workloadResources.target.workloadName}` },
  { header: 'CONTAINER', value: (r) => r.workloadResources.target.container },
  { header: 'CPU REQUEST', value: (r) => show(r.workloadResources.cpu, 'Request') },
  { header: 'CPU LIMIT', value: (r) => show(r.workloadResources.cpu, 'Limit') },
  { header: 'MEMORY REQUEST', value: (r) => show(r.workloadResources.memory, 'Request') },
  { header: 'MEMORY LIMIT', value: (r) => show(r.workloadResources.memory, 'Limit') },
  { header: 'SAVING USD/MO', value: (r) => r.saving.monthlySavingsUsd.toFixed(2), align: 'right' },
  { header: 'CONFIDENCE', value: (r) => `${Math.round(r.confidence * 100)}%`, align: 'right' },
  { header: 'RISK', value: (r) => r.risk },
  { header: 'REASONS', value: (r) => r.reasons.join(',') },
];

/**
 * Asks GET /v1/recommendations (largest saving first) and renders it: a
 * table of current → recommended requests and limits, the API's JSON or CSV,
 * or with -o yaml the patches that apply the advice (resource-patch.ts).
 */
export async function recommendationsCommand(api: CostApi, options: RecommendationsOptions): Promise<RecommendationsResult> {
  const resources = options.type === 'resources';
  if (!resources && !['idle-workloads', 'spot', 'arm'].includes(options.type) && options.kind !== '') throw new KcostError('INVALID_CONFIG', `--kind ${options.kind} names a workload kind; --type ${options.type} lists no workloads`);
  if (!resources && options.output === 'yaml') throw new KcostError('INVALID_CONFIG', `-o yaml prints resource patches, for --type resources; --type ${options.type} prints table, json or csv`);
  const query = {
    cluster: options.cluster,
    namespace: options.namespace,
    workloadKind: options.kind,
    // Plain decimals: the API takes no exponent form (1e-7), and a millionth of a dollar is below any saving worth a filter.
    minSavingUsd: options.minSavingUsd === null ? '' : options.minSavingUsd.toFixed(6),
    risk: options.risk,
    kind: RECOMMENDATION_TYPES[options.type],
    sort: 'saving',
  };
  if (options.output === 'csv') return { text: await api.getText('v1/recommendations', { ...query, format: 'csv' }), notes: [] };
  const answer = await api.get<{ recommendations: Recommendation[] }>('v1/recommendations', query);
  if (options.output === 'json') return { text: `${JSON.stringify(answer, null, 2)}\n`, notes: [] };
  if (options.output === 'yaml') {
    const { documents, skipped } = resourcePatches(answer.recommendations);
    return { text: documents.length === 0 ? '' : renderPatches(documents), notes: [...skipped, ...(documents.length === 0 ? ['no recommendation changes a request, a limit or an HPA target'] : [])] };
  }
  if (options.type === 'node-pools') return table(answer.recommendations.filter((r): r is PoolRow => r.nodePool !== null), POOL_COLUMNS, 'No node pools.');
  if (options.type === 'spot') return table(answer.recommendations.filter((r): r is SpotRow => r.spotWorkload !== null), SPOT_COLUMNS, 'No workloads on on-demand nodes.');
  if (options.type === 'commitments') return table(answer.recommendations.filter((r): r is CommitmentRow => r.commitment !== null), COMMITMENT_COLUMNS, 'No commitment advice.');
  if (options.type === 'arm') return table(answer.recommendations.filter((r): r is ArmRow => r.armWorkload !== null), ARM_COLUMNS, 'No ARM candidates.');
  if (options.type === 'idle-workloads') {
    const idle = answer.recommendations.filter((r): r is IdleRow => r.idleWorkload !== null);
    return { text: idle.length === 0 ? 'No idle workloads.\n' : renderTable(IDLE_COLUMNS, idle), notes: [] };
  }
  if (options.type === 'daemonset-only-nodes') {
    const nodes = answer.recommendations.filter((r): r is NodeRow => r.daemonSetOnlyNode !== null);
    return { text: nodes.length === 0 ? 'No DaemonSet-only nodes.\n' : renderTable(NODE_COLUMNS, nodes), notes: [] };
  }
  if (options.type === 'orphaned-volumes') {
    const claims = answer.recommendations.filter((r): r is VolumeRow => r.orphanedVolume !== null);
    return { text: claims.length === 0 ? 'No orphaned volumes.\n' : renderTable(VOLUME_COLUMNS, claims), notes: [] };
  }
  const rows = answer.recommendations.filter((r): r is Row => r.workloadResources !== null);
  if (rows.length === 0) return { text: 'No recommendations.\n', notes: [] };
  return { text: renderTable(COLUMNS, rows), notes: [] };
}

function table<R>(rows: readonly R[], columns: ReadonlyArray<Column<R>>, none: string): RecommendationsResult {
  return { text: rows.length === 0 ? `${none}\n` : renderTable(columns, rows), notes: [] };
}

/** -o yaml prints patches, which only recommendations have. */
export function rejectYamlOutput(command: string): never {
  throw new KcostError('INVALID_CONFIG', `-o yaml is for kubectl cost recommendations (patches); ${command} prints table, json or csv`);
}
