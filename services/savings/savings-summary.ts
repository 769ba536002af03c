import type { Recommendation } from '../codec/records.generated.js';

/** One open recommendation in the summary: its own saving, and the part of it the total counts. */
export interface SummaryLine {
  readonly key: string;
  readonly kind: Recommendation['kind'];
  readonly cluster: string;
  readonly monthlySavingsUsd: number;
  readonly countedMonthlySavingsUsd: number;
  readonly confidence: number;
  readonly risk: Recommendation['risk'];
  /** Why the counted part differs from the saving; null when it does not. */
  readonly note: string | null;
}

export interface SavingsSummary {
  /** The sum of the counted savings: what applying every record saves, each dollar once. */
  readonly totalMonthlySavingsUsd: number;
  readonly byKind: ReadonlyArray<{ kind: string; records: number; monthlySavingsUsd: number; countedMonthlySavingsUsd: number }>;
  readonly lines: readonly SummaryLine[];
}

/**
 * Adds up every open recommendation so that no dollar is counted twice. Each
 * record's own saving is what applying it alone saves; where two records
 * price the same money, the total counts it once (the README, "Adding savings
 * up", states the rules; they are applied in this order):
 *
 * 1. IDLE_WORKLOAD includes its containers' WORKLOAD_RESOURCES savings: those count 0.
 * 2. DAEMONSET_ONLY_NODE includes one replica of each DaemonSet it lists: each
 *    such DaemonSet container's right-sizing counts one replica's share less.
 * 3. A workload with both SPOT_WORKLOAD and ARM_WORKLOAD advice counts the
 *    larger (both reprice the same pods' share of their nodes), and that one
 *    on what right-sizing leaves: times 1 − (its containers' counted
 *    right-sizing saving ÷ their current cost).
 * 4. NODE_POOL counts its repacking of today's requests, less the
 *    DAEMONSET_ONLY_NODE savings of nodes of the same instance and capacity
 *    type in the same cluster (repacking drops those empty nodes too).
 * 5. COMMITMENT: per cluster and instance family the better of the 1- and
 *    3-year terms (they would cover the same base), scaled by the share of
 *    the cluster's on-demand spend the other counted advice leaves.
 *
 * Right-sizing's part of a pool's node saving (NODE_POOL's rightSized
 * figure) is never added: the WORKLOAD_RESOURCES records count it.
 */
export function summarizeSavings(records: readonly Recommendation[]): SavingsSummary {
  const counted = new Map<string, number>(records.map((r) => [r.key, r.saving.monthlySavingsUsd]));
  const notes = new Map<string, string>();

  // 1. Idle workloads supersede their containers' right-sizing.
  for (const r of records) {
    for (const key of r.idleWorkload?.supersedes ?? []) {
      if (!counted.has(key)) continue;
      counted.set(key, 0);
      notes.set(key, `included in ${r.key}`);
    }
  }

  // 2. A DaemonSet-only node's saving includes one replica of each of its DaemonSets.
  for (const r of records) {
    const node = r.daemonSetOnlyNode;
    if (!node) continue;
    for (const daemonSet of node.daemonSets) {
      for (const c of records) {
        const w = c.workloadResources;
        if (!w || c.cluster !== r.cluster || w.target.workloadKind !== 'DaemonSet' || `${w.target.namespace}/${w.target.workloadName}` !== daemonSet) continue;
        if (w.pricing.replicas <= 0) continue;
        counted.set(c.key, (counted.get(c.key) ?? 0) - c.saving.monthlySavingsUsd / w.pricing.replicas);
        notes.set(c.key, `less one replica per DaemonSet-only node (${r.key})`);
      }
    }
  }

  // 3. Spot or ARM, the larger, on what right-sizing leaves.
  const moves = new Map<string, Recommendation[]>();
  for (const r of records) {
    const target = r.spotWorkload?.target ?? r.armWorkload?.target;
    if (!target) continue;
    const workload = `${target.cluster}/${target.namespace}/${target.workloadKind}/${target.workloadName}`;
    moves.set(workload, [...(moves.get(workload) ?? []), r]);
  }
  for (const [workload, advice] of moves) {
    const [best, ...rest] = [...advice].sort((a, b) => b.saving.monthlySavingsUsd - a.saving.monthlySavingsUsd || (a.key < b.key ? -1 : 1));
    for (const other of rest) {
      counted.set(other.key, 0);
      notes.set(other.key, `overlaps ${best!.key}, which saves more on the same pods`);
    }
    const containers = records.filter((c) => c.workloadResources && `${c.key.split('/').slice(0, 4).join('/')}` === workload);
    const current = containers.reduce((a, c) => a + c.saving.currentMonthlyUsd, 0);
    const rightSizing = containers.reduce((a, c) => a + Math.max(0, counted.get(c.key) ?? 0), 0);
    if (best && current > 0 && rightSizing > 0) {
      const left = Math.max(0, 1 - rightSizing / current);
      counted.set(best.key, best.saving.monthlySavingsUsd * left);
      notes.set(best.key, `on the ${Math.round(left * 100)} % of its cost that right-sizing leaves`);
    }
  }

  // 4. Node pools less the DaemonSet-only nodes they would drop anyway.
  for (const r of records) {
    const pool = r.nodePool;
    if (!pool) continue;
    const overlap = records
      .filter((d) => d.daemonSetOnlyNode && d.cluster === r.cluster && d.daemonSetOnlyNode.capacityType === pool.capacityType && pool.current.some((l) => l.instanceType === d.daemonSetOnlyNode!.instanceType))
      .reduce((a, d) => a + Math.max(0, d.saving.monthlySavingsUsd), 0);
    if (overlap > 0) {
      counted.set(r.key, Math.max(0, r.saving.monthlySavingsUsd - overlap));
      notes.set(r.key, 'less the DaemonSet-only nodes of its instance types, counted on their own');
    }
  }

  // 5. Commitments: one term per family, on the on-demand spend the rest leaves.
  const clusters = new Set(records.filter((r) => r.commitment).map((r) => r.cluster));
  for (const cluster of clusters) {
    const commitments = records.filter((r) => r.commitment && r.cluster === cluster);
    const families = new Map<string, Recommendation[]>();
    for (const r of commitments) {
      const family = `${r.commitment!.target.provider}/${r.commitment!.target.region}/${r.commitment!.target.instanceFamily}`;
      families.set(family, [...(families.get(family) ?? []), r]);
    }
    let base = 0;
    const chosen: Recommendation[] = [];
    for (const terms of families.values()) {
      const [best, ...rest] = [...terms].sort((a, b) => b.saving.monthlySavingsUsd - a.saving.monthlySavingsUsd || (a.key < b.key ? -1 : 1));
      base += best!.saving.currentMonthlyUsd;
      chosen.push(best!);
      for (const other of rest) {
        counted.set(other.key, 0);
        notes.set(other.key, `the other term of ${best!.key}, which saves more`);
      }
    }
    const otherAdvice = records
      .filter((r) => r.cluster === cluster && !r.commitment && !r.orphanedVolume)
      .reduce((a, r) => a + Math.max(0, counted.get(r.key) ?? 0), 0);
    const left = base > 0 ? Math.max(0, 1 - otherAdvice / base) : 1;
    if (left < 1) {
      for (const r of chosen) {
        counted.set(r.key, r.saving.monthlySavingsUsd * left);
        notes.set(r.key, `sized on today's on-demand spend; counted on the ${Math.round(left * 100)} % the other advice leaves`);
      }
    }
  }

  const lines: SummaryLine[] = records.map((r) => ({
    key: r.key,
    kind: r.kind,
    cluster: r.cluster,
    monthlySavingsUsd: r.saving.monthlySavingsUsd,
    countedMonthlySavingsUsd: counted.get(r.key) ?? 0,
    confidence: r.confidence,
    risk: r.risk,
    note: notes.get(r.key) ?? null,
  }));
  lines.sort((a, b) => b.countedMonthlySavingsUsd - a.countedMonthlySavingsUsd || (a.key < b.key ? -1 : 1));
  const kinds = new Map<string, { kind: string; records: number; monthlySavingsUsd: number; countedMonthlySavingsUsd: number }>();
  for (const l of lines) {
    const k = kinds.get(l.kind) ?? { kind: l.kind, records: 0, monthlySavingsUsd: 0, countedMonthlySavingsUsd: 0 };
    kinds.set(l.kind, { kind: l.kind, records: k.records + 1, monthlySavingsUsd: k.monthlySavingsUsd + l.monthlySavingsUsd, countedMonthlySavingsUsd: k.countedMonthlySavingsUsd + l.countedMonthlySavingsUsd });
  }
  return {
    totalMonthlySavingsUsd: lines.reduce((a, l) => a + l.countedMonthlySavingsUsd, 0),
    byKind: [...kinds.values()].sort((a, b) => b.countedMonthlySavingsUsd - a.countedMonthlySavingsUsd),
    lines,
  };
}
