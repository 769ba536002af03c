import type { Recommendation, ResourceAdvice } from '../codec/records.generated.js';
import { renderLabels } from './exposition.js';
import type { ApplyOutcome } from './namespace-costs.js';
import { SeriesFamily } from './series-family.js';

const TARGET_LABELS = ['cluster', 'namespace', 'workload_kind', 'workload', 'container'] as const;
const RESOURCE_LABELS = [...TARGET_LABELS, 'resource', 'unit'];
/** kube-state-metrics' unit label values (kube_pod_container_resource_requests), so the series join on it. */
const UNIT = { cores: 'core', bytes: 'byte' } as const;

/** The four per-resource figures, each a family of its own with the labels of kube_pod_container_resource_*. */
const FIGURES = [
  { field: 'recommendedRequest', name: 'kube_cost_recommendation_container_resource_requests', help: 'Recommended request of the workload container (all its replicas), in the unit label: core or byte. Only for resources whose advice is CHANGE or KEEP.' },
  { field: 'recommendedLimit', name: 'kube_cost_recommendation_container_resource_limits', help: 'Recommended limit of the workload container, in the unit label; absent where the advice is no limit. Only for resources whose advice is CHANGE or KEEP.' },
  { field: 'currentRequest', name: 'kube_cost_recommendation_current_container_resource_requests', help: 'Request of the workload container when the advice was made, in the unit label, beside the recommended one. Only for resources whose advice is CHANGE or KEEP.' },
  { field: 'currentLimit', name: 'kube_cost_recommendation_current_container_resource_limits', help: 'Limit of the workload container when the advice was made, in the unit label; absent where none was set. Only for resources whose advice is CHANGE or KEEP.' },
] as const satisfies ReadonlyArray<{ field: keyof ResourceAdvice; name: string; help: string }>;

/**
 * The right-sizing advice of kcost.recommendations.v1 as series, the latest
 * version per key: kube_cost_recommendation_monthly_savings_usd per workload
 * container, and its recommended and current requests and limits per
 * resource. A version replaces the shown one when its generatedAt is not
 * older (as the sink's recommendation table does); a tombstone removes the
 * key's series. Records of a kind this version does not know (UNKNOWN) are
 * skipped, as the schema asks readers to.
 *
 * Bounded by the workload containers with advice, never by pods: at most one
 * savings series and eight resource series (two resources × four figures)
 * per key, whatever the number of replicas.
 */
export class RecommendationSeries {
  readonly savings = new SeriesFamily(
    'kube_cost_recommendation_monthly_savings_usd',
    'What applying the latest right-sizing advice for the workload container saves, USD per 730-hour month over all its replicas (negative: the advice costs more, for an under-provisioned container). kind is the kind of advice, risk how likely applying it harms the workload (LOW, MEDIUM, HIGH).',
    'gauge',
  );
  /** Every other kind of advice (idle workloads, orphaned volumes, DaemonSet-only nodes and, from kcost savings, node pools, spot, commitments, ARM): one series per record. */
  readonly advice = new SeriesFamily(
    'kube_cost_advice_monthly_savings_usd',
    'What applying the latest advice of a kind other than right-sizing saves, USD per 730-hour month: kind is IDLE_WORKLOAD, ORPHANED_VOLUME, DAEMONSET_ONLY_NODE, NODE_POOL, SPOT_WORKLOAD, COMMITMENT or ARM_WORKLOAD, target the record key after the cluster, namespace the namespace where the advice has one (else empty). Records that price the same money overlap: /v1/savings counts each dollar once.',
    'gauge',
  );
  readonly resources = FIGURES.map((figure) => ({ field: figure.field, family: new SeriesFamily(figure.name, figure.help, 'gauge') }));
  private readonly generatedAt = new Map<string, number>();

  get families(): SeriesFamily[] {
    return [this.savings, this.advice, ...this.resources.map((r) => r.family)];
  }

  /** Keys with series. */
  get size(): number {
    return this.generatedAt.size;
  }

  /**
   * A version read under Kafka key `kafkaKey` (null when the record had
   * none). A record whose key is not its Kafka key is refused: compaction
   * and tombstones act on the Kafka key, so its series could never be retired.
   */
  apply(kafkaKey: string | null, record: Recommendation): ApplyOutcome {
    if (record.kind === 'UNKNOWN') return 'ignored';
    const detail = record.workloadResources;
    if ((kafkaKey !== null && kafkaKey !== record.key) || !Number.isFinite(record.saving.monthlySavingsUsd)) return 'invalid';
    if (record.kind !== 'WORKLOAD_RESOURCES') return this.applyOther(record);
    if (detail === null) return 'invalid';
    const key = record.key;
    const previous = this.generatedAt.get(key);
    if (previous !== undefined && record.generatedAt < previous) return 'duplicate';
    this.generatedAt.set(key, record.generatedAt);
    const target = detail.target;
    const targetValues = [target.cluster, target.namespace, target.workloadKind, target.workloadName, target.container];
    this.savings.set(key, renderLabels([...TARGET_LABELS, 'kind', 'risk'], [...targetValues, record.kind, record.risk]), record.saving.monthlySavingsUsd);
    for (const advice of [detail.cpu, detail.memory]) {
      const seriesKey = `${key}\u0000${advice.resource}`;
      const advised = advice.action === 'CHANGE' || advice.action === 'KEEP';
      const labels = renderLabels(RESOURCE_LABELS, [...targetValues, advice.resource, UNIT[advice.unit]]);
      for (const { field, family } of this.resources) {
        const value = advice[field];
        if (advised && value !== null && Number.isFinite(value)) family.set(seriesKey, labels, value);
        else family.delete(seriesKey);
      }
    }
    return 'applied';
  }

  private applyOther(record: Recommendation): ApplyOutcome {
    const previous = this.generatedAt.get(record.key);
    if (previous !== undefined && record.generatedAt < previous) return 'duplicate';
    this.generatedAt.set(record.key, record.generatedAt);
    const namespace = record.idleWorkload?.target.namespace ?? record.orphanedVolume?.target.namespace ?? record.spotWorkload?.target.namespace ?? record.armWorkload?.target.namespace ?? '';
    const target = record.key.startsWith(`${record.cluster}/`) ? record.key.slice(record.cluster.length + 1) : record.key;
    this.advice.set(record.key, renderLabels(['cluster', 'kind', 'target', 'namespace', 'risk'], [record.cluster, record.kind, target, namespace, record.risk]), record.saving.monthlySavingsUsd);
    return 'applied';
  }

  /** A tombstone: the target is gone, and so are its series. */
  retire(key: string): ApplyOutcome {
    if (!this.generatedAt.delete(key)) return 'ignored';
    this.savings.delete(key);
    this.advice.delete(key);
    for (const resource of ['cpu', 'memory']) for (const { family } of this.resources) family.delete(`${key}\u0000${resource}`);
    return 'applied';
  }
}
