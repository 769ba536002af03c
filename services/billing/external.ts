// Allocation of out-of-cluster billing lines (managed databases, load
// balancers, egress, fees, discounts, credits) to clusters and namespaces:
// by tags where the line says whose it is, else by the configured rule.
// Every dollar of a line lands in exactly one row.

/** How lines that name no namespace are shared. */
export type UnattributedRule = 'even' | 'proportional' | 'unallocated';

export const UNATTRIBUTED_RULES: readonly UnattributedRule[] = ['even', 'proportional', 'unallocated'];

/** The namespace of costs no rule could attribute. */
export const UNALLOCATED_NAMESPACE = '__unallocated__';

export interface ExternalRules {
  /** A tag whose value names the cluster, besides kubernetes.io/cluster/<name>; null for none. */
  readonly clusterTag: string | null;
  /** The tag whose value names the namespace. */
  readonly namespaceTag: string;
  readonly unattributed: UnattributedRule;
}

export type Attribution = 'tag' | 'service' | 'even' | 'proportional' | 'unallocated';

export interface ExternalRow {
  /** Empty when no cluster could be told. */
  readonly cluster: string;
  readonly namespace: string;
  readonly serviceName: string;
  readonly attribution: Attribution;
  readonly costUsd: number;
}

export interface ExternalLine {
  readonly serviceName: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly effectiveCostUsd: number;
}

const CLUSTER_TAG_PREFIX = 'kubernetes.io/cluster/';
const SERVICE_NAME_TAG = 'kubernetes.io/service-name';
// What the AWS EBS CSI driver tags a provisioned disk with (--extra-create-metadata, on by default):
// a disk no pod mounted that day is still its claim's namespace's.
const CLAIM_NAMESPACE_TAG = 'kubernetes.io/created-for/pvc/namespace';

/** Tags as kcost reads them: AWS CUR writes user tags as `user:<key>`. */
function plainTags(tags: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(Object.entries(tags).map(([key, value]) => [key.startsWith('user:') ? key.slice(5) : key, value]));
}

/** The cluster a line's tags name, or null. */
export function clusterOfTags(tags: Readonly<Record<string, string>>, clusterTag: string | null): string | null {
  const plain = plainTags(tags);
  if (clusterTag !== null && plain.get(clusterTag)) return plain.get(clusterTag) as string;
  for (const key of plain.keys()) {
    if (key.startsWith(CLUSTER_TAG_PREFIX) && key.length > CLUSTER_TAG_PREFIX.length) return key.slice(CLUSTER_TAG_PREFIX.length);
  }
  return null;
}

/** The namespace a line's tags name and how: the namespace tag (or a disk's claim namespace), else a load balancer's Service (namespace/name). */
export function namespaceOfTags(tags: Readonly<Record<string, string>>, namespaceTag: string): { namespace: string; attribution: 'tag' | 'service' } | null {
  const plain = plainTags(tags);
  const tagged = plain.get(namespaceTag) || plain.get(CLAIM_NAMESPACE_TAG);
  if (tagged) return { namespace: tagged, attribution: 'tag' };
  const service = plain.get(SERVICE_NAME_TAG);
  const slash = service?.indexOf('/') ?? -1;
  if (service !== undefined && slash > 0) return { namespace: service.slice(0, slash), attribution: 'service' };
  return null;
}

/**
 * Rows for `lines`, given the day's reconciled cost per cluster and
 * namespace (what `proportional` weighs by and `even` counts). A line with
 * no cluster tag belongs to the only cluster of the day when there is one;
 * a line that names no namespace is shared among the namespaces of its
 * cluster (of every cluster when it names none) by the rule, and left
 * unallocated when there is nothing to share it among.
 */
export function allocateExternal(lines: readonly ExternalLine[], namespaceCost: ReadonlyMap<string, ReadonlyMap<string, number>>, rules: ExternalRules): ExternalRow[] {
  const rows = new Map<string, ExternalRow>();
  const add = (cluster: string, namespace: string, serviceName: string, attribution: Attribution, costUsd: number): void => {
    const key = [cluster, namespace, serviceName, attribution].join('\u0000');
    const row = rows.get(key);
    rows.set(key, { cluster, namespace, serviceName, attribution, costUsd: (row?.costUsd ?? 0) + costUsd });
  };
  const onlyCluster = namespaceCost.size === 1 ? ([...namespaceCost.keys()][0] as string) : null;
  for (const line of lines) {
    const cluster = clusterOfTags(line.tags, rules.clusterTag) ?? onlyCluster;
    const named = namespaceOfTags(line.tags, rules.namespaceTag);
    if (named !== null) {
      add(cluster ?? '', named.namespace, line.serviceName, named.attribution, line.effectiveCostUsd);
      continue;
    }
    const shares = rules.unattributed === 'unallocated' ? [] : sharesOf(cluster, namespaceCost, rules.unattributed);
    if (shares.length === 0) {
      add(cluster ?? '', UNALLOCATED_NAMESPACE, line.serviceName, 'unallocated', line.effectiveCostUsd);
      continue;
    }
    for (const share of shares) add(share.cluster, share.namespace, line.serviceName, rules.unattributed, line.effectiveCostUsd * share.weight);
  }
  return [...rows.values()];
}

interface Share {
  readonly cluster: string;
  readonly namespace: string;
  readonly weight: number;
}

/** The weights (summing to 1) a shared line is split by, or none. */
function sharesOf(cluster: string | null, namespaceCost: ReadonlyMap<string, ReadonlyMap<string, number>>, rule: 'even' | 'proportional'): Share[] {
  const candidates: Array<{ cluster: string; namespace: string; cost: number }> = [];
  for (const [c, namespaces] of namespaceCost) {
    if (cluster !== null && c !== cluster) continue;
    for (const [namespace, cost] of namespaces) if (cost > 0) candidates.push({ cluster: c, namespace, cost });
  }
  const total = candidates.reduce((s, c) => s + (rule === 'even' ? 1 : c.cost), 0);
  if (total <= 0) return [];
  return candidates.map((c) => ({ cluster: c.cluster, namespace: c.namespace, weight: (rule === 'even' ? 1 : c.cost) / total }));
}
