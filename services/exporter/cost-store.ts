import type { CostAnomaly, KubeObject, NodeCost, PodCost } from '../codec/records.generated.js';
import { AnomalyScores } from './anomaly-scores.js';
import { NamespaceBudgets } from './namespace-budgets.js';
import { NamespaceCosts } from './namespace-costs.js';
import { NodeCosts } from './node-costs.js';
import { PodCosts, type ApplyOutcome } from './pod-costs.js';
import { VolumeCosts } from './volume-costs.js';
import type { SeriesFamily } from './series-family.js';

export type { ApplyOutcome } from './pod-costs.js';

export interface CostStoreOptions {
  /**
   * How long a pod or node keeps its series after its last record arrived,
   * by the exporter's clock (arrival time, not event time: if the processor
   * stops, series disappear instead of freezing at their last value).
   */
  readonly graceMillis: number;
  /** The exporter's clock, injectable for tests. */
  readonly now: () => number;
}

/** How many pods, nodes and anomalies the store holds, and how many series it renders. */
export interface StoreSizes {
  readonly pods: number;
  readonly nodes: number;
  readonly anomalies: number;
  readonly series: Readonly<Record<string, number>>;
}

/**
 * The exporter's state: every kube_cost_* series, kept up to date as records
 * arrive and rendered in the Prometheus text format on scrape. Plain values
 * in (decoded records and the clock), text out; no I/O.
 */
export class CostStore {
  private readonly namespaces = new NamespaceCosts();
  private readonly volumes = new VolumeCosts();
  private readonly pods = new PodCosts(this.namespaces, this.volumes);
  private readonly nodes = new NodeCosts();
  private readonly anomalies = new AnomalyScores();
  private readonly budgets = new NamespaceBudgets();
  private readonly families: readonly SeriesFamily[];
  private lastSweep: number;

  constructor(private readonly options: CostStoreOptions) {
    this.families = [
      this.pods.hourly,
      this.pods.storageMonthly,
      this.volumes.monthly,
      this.namespaces.daily,
      this.namespaces.spotSavings,
      this.budgets.monthly,
      this.nodes.hourly,
      this.nodes.idle,
      this.anomalies.score,
    ];
    this.lastSweep = options.now();
  }

  applyPodCost(record: PodCost): ApplyOutcome {
    return this.pods.apply(record, this.options.now());
  }

  applyNodeCost(record: NodeCost): ApplyOutcome {
    return this.nodes.apply(record, this.options.now());
  }

  applyAnomaly(record: CostAnomaly): ApplyOutcome {
    return this.anomalies.apply(record, this.options.now());
  }

  /** Namespace state from kcost.kube.v1: its budget label; other kinds are ignored. */
  applyKubeObject(record: KubeObject): ApplyOutcome {
    return this.budgets.apply(record);
  }

  /**
   * Drops the series of pods and nodes silent for longer than the grace
   * period and of anomalies past their interval. Sweeps at most every tenth
   * of the grace period (so at most 10% late), since a sweep walks every pod.
   */
  expire(): { pods: number; nodes: number; anomalies: number } {
    const now = this.options.now();
    if (now - this.lastSweep < this.options.graceMillis / 10) return { pods: 0, nodes: 0, anomalies: 0 };
    this.lastSweep = now;
    return {
      pods: this.pods.expire(now, this.options.graceMillis),
      nodes: this.nodes.expire(now, this.options.graceMillis),
      anomalies: this.anomalies.expire(now, this.options.graceMillis),
    };
  }

  /**
   * Every kube_cost_* family in the text exposition format, as buffers to
   * write in order (expired series swept first). Unchanged parts are the same
   * buffers as last time: nothing is formatted or encoded again.
   */
  renderChunks(): Buffer[] {
    this.expire();
    return this.families.flatMap((family) => family.chunks());
  }

  /** renderChunks() as one string. */
  render(): string {
    return Buffer.concat(this.renderChunks()).toString('utf8');
  }

  sizes(): StoreSizes {
    return {
      pods: this.pods.size,
      nodes: this.nodes.size,
      anomalies: this.anomalies.size,
      series: Object.fromEntries(this.families.map((f) => [f.name, f.size])),
    };
  }
}
