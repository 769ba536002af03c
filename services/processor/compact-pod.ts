import type { ContainerResources, KubeObject, PodState, WorkloadRef } from '../codec/records.generated.js';

/** A pod KubeObject as it arrives: kind POD with its pod state set. */
export type PodInput = KubeObject & { pod: PodState };

/**
 * What the cluster state keeps of a pod: the fields pricing reads, in the
 * KubeObject's shape. labels, workload, containers and claimNames are shared
 * with every other pod that has equal ones, so they are frozen.
 */
export interface StoredPod {
  readonly cluster: string;
  readonly uid: string;
  readonly namespace: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly createdAt: number;
  readonly deletedAt: number | null;
  readonly observedAt: number;
  readonly pod: StoredPodState;
}

/** The part of PodState that pricing reads (phase is not). */
export interface StoredPodState {
  readonly nodeName: string | null;
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  readonly workload: Readonly<WorkloadRef> | null;
  readonly containers: ReadonlyArray<Readonly<ContainerResources>>;
  readonly claimNames: readonly string[];
}

/**
 * Equal values held once: hold() returns the copy already held for an equal
 * value (or makes one), release() gives it back, and the copy is dropped
 * with its last holder, so that values of pods long gone do not accumulate.
 */
class SharedValues<T> {
  private readonly entries = new Map<string, { readonly value: T; holders: number }>();

  constructor(
    private readonly keyOf: (value: T) => string,
    private readonly copyOf: (value: T) => T,
    private readonly equal: (held: T, value: T) => boolean,
  ) {}

  hold(value: T): T {
    const key = this.keyOf(value);
    const entry = this.entries.get(key);
    if (entry) {
      entry.holders += 1;
      return entry.value;
    }
    const copy = this.copyOf(value);
    this.entries.set(key, { value: copy, holders: 1 });
    return copy;
  }

  /** hold(value) then release(held), short-cut when they are equal: most updates of a pod leave most of it unchanged. */
  replace(held: T, value: T): T {
    if (this.equal(held, value)) return held;
    const copy = this.hold(value);
    this.release(held);
    return copy;
  }

  release(value: T): void {
    const key = this.keyOf(value);
    const entry = this.entries.get(key);
    if (!entry) throw new Error(`released a shared value that is not held: ${key}`);
    entry.holders -= 1;
    if (entry.holders === 0) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Stores pod KubeObjects compactly, and forgets them again. Most of a
 * decoded pod repeats across pods: every replica of a workload has the same
 * namespace, label set, owner and container requests, and every pod of a
 * node the same node name, yet each decoded record carries copies of its
 * own. A StoredPod keeps one copy of each, so a pod costs about its uid,
 * its timestamps and two small objects. Label keys need no sharing: V8
 * already keeps one copy of every property name.
 */
export class PodCompactor {
  private readonly strings = new SharedValues<string>(
    (s) => s,
    (s) => s,
    (a, b) => a === b,
  );
  private readonly labelSets = new SharedValues<Readonly<Record<string, string>>>(
    (labels) => JSON.stringify(labels),
    (labels) => Object.freeze({ ...labels }),
    sameLabels,
  );
  private readonly workloads = new SharedValues<Readonly<WorkloadRef>>(
    (w) => JSON.stringify(w.kind) + JSON.stringify(w.name),
    (w) => Object.freeze({ kind: w.kind, name: w.name }),
    (a, b) => a.kind === b.kind && a.name === b.name,
  );
  private readonly containerLists = new SharedValues<ReadonlyArray<Readonly<ContainerResources>>>(
    (list) => list.map(containerKey).join(';'),
    (list) => Object.freeze(list.map(copyContainer)),
    (a, b) => a.length === b.length && a.every((c, i) => sameContainer(c, b[i] as ContainerResources)),
  );
  private readonly claimLists = new SharedValues<readonly string[]>(
    (names) => JSON.stringify(names),
    (names) => Object.freeze([...names]),
    (a, b) => a.length === b.length && a.every((name, i) => name === b[i]),
  );

  /** The stored form of a newly seen pod. */
  store(object: PodInput): StoredPod {
    const { pod } = object;
    return {
      cluster: this.strings.hold(object.cluster),
      uid: object.uid,
      namespace: this.holdNullable(this.strings, object.namespace),
      labels: this.labelSets.hold(object.labels),
      createdAt: object.createdAt,
      deletedAt: object.deletedAt,
      observedAt: object.observedAt,
      pod: {
        nodeName: this.holdNullable(this.strings, pod.nodeName),
        startedAt: pod.startedAt,
        endedAt: pod.endedAt,
        workload: this.holdNullable(this.workloads, pod.workload),
        containers: this.containerLists.hold(pod.containers),
        claimNames: this.claimLists.hold(pod.claimNames),
      },
    };
  }

  /**
   * The stored form of a newer state of a stored pod (same cluster and uid),
   * which replaces `previous`: what did not change is kept as it is, the rest
   * held anew and released from `previous`.
   */
  replace(previous: StoredPod, object: PodInput): StoredPod {
    const { pod } = object;
    return {
      cluster: previous.cluster,
      uid: previous.uid,
      namespace: this.replaceNullable(this.strings, previous.namespace, object.namespace),
      labels: this.labelSets.replace(previous.labels, object.labels),
      createdAt: object.createdAt,
      deletedAt: object.deletedAt,
      observedAt: object.observedAt,
      pod: {
        nodeName: this.replaceNullable(this.strings, previous.pod.nodeName, pod.nodeName),
        startedAt: pod.startedAt,
        endedAt: pod.endedAt,
        workload: this.replaceNullable(this.workloads, previous.pod.workload, pod.workload),
        containers: this.containerLists.replace(previous.pod.containers, pod.containers),
        claimNames: this.claimLists.replace(previous.pod.claimNames, pod.claimNames),
      },
    };
  }

  /** Gives back what a stored pod holds, when the state forgets it. */
  release(stored: StoredPod): void {
    this.strings.release(stored.cluster);
    if (stored.namespace !== null) this.strings.release(stored.namespace);
    this.labelSets.release(stored.labels);
    if (stored.pod.nodeName !== null) this.strings.release(stored.pod.nodeName);
    if (stored.pod.workload !== null) this.workloads.release(stored.pod.workload);
    this.containerLists.release(stored.pod.containers);
    this.claimLists.release(stored.pod.claimNames);
  }

  /** How many distinct values are held for the stored pods (0 once every pod was released). */
  get sharedValues(): number {
    return this.strings.size + this.labelSets.size + this.workloads.size + this.containerLists.size + this.claimLists.size;
  }

  private holdNullable<T>(shared: SharedValues<T>, value: T | null): T | null {
    return value === null ? null : shared.hold(value);
  }

  private replaceNullable<T>(shared: SharedValues<T>, held: T | null, value: T | null): T | null {
    if (held === null) return this.holdNullable(shared, value);
    if (value === null) {
      shared.release(held);
      return null;
    }
    return shared.replace(held, value);
  }
}

/** Same labels, in whatever order. */
function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  let count = 0;
  for (const key in b) {
    if (!Object.hasOwn(b, key)) continue;
    if (!Object.hasOwn(a, key) || a[key] !== b[key]) return false;
    count += 1;
  }
  for (const key in a) if (Object.hasOwn(a, key)) count -= 1;
  return count === 0;
}

/** Equal in every field, numbers compared as the key spells them (NaN equals NaN, 0 is not -0). */
function sameContainer(a: Readonly<ContainerResources>, b: Readonly<ContainerResources>): boolean {
  return (
    a.name === b.name &&
    Object.is(a.cpuRequestCores, b.cpuRequestCores) &&
    Object.is(a.cpuLimitCores, b.cpuLimitCores) &&
    Object.is(a.memoryRequestBytes, b.memoryRequestBytes) &&
    Object.is(a.memoryLimitBytes, b.memoryLimitBytes) &&
    Object.is(a.gpuRequest, b.gpuRequest) &&
    Object.is(a.gpuLimit, b.gpuLimit)
  );
}

/** Every field of a container: the name as JSON (self-delimiting), numbers spelled so that null (''), NaN and -0 stay distinct. */
function containerKey(c: Readonly<ContainerResources>): string {
  return `${JSON.stringify(c.name)},${numberKey(c.cpuRequestCores)},${numberKey(c.cpuLimitCores)},${numberKey(c.memoryRequestBytes)},${numberKey(c.memoryLimitBytes)},${numberKey(c.gpuRequest)},${numberKey(c.gpuLimit)},${c.restartCount},${JSON.stringify(c.lastTerminationReason)},${numberKey(c.lastTerminatedAt)}`;
}

function numberKey(n: number | null): string {
  if (n === null) return '';
  return Object.is(n, -0) ? '-0' : String(n);
}

function copyContainer(c: Readonly<ContainerResources>): Readonly<ContainerResources> {
  return Object.freeze({
    name: c.name,
    cpuRequestCores: c.cpuRequestCores,
    cpuLimitCores: c.cpuLimitCores,
    memoryRequestBytes: c.memoryRequestBytes,
    memoryLimitBytes: c.memoryLimitBytes,
    gpuRequest: c.gpuRequest,
    gpuLimit: c.gpuLimit,
    restartCount: c.restartCount,
    lastTerminationReason: c.lastTerminationReason,
    lastTerminatedAt: c.lastTerminatedAt,
  });
}
