/** What a usage source needs to know about a pod that its own payload lacks (PodMetrics carry no uid). */
export interface PodIdentity {
  readonly uid: string;
  readonly nodeName: string | null;
}

/** Finds pods by namespace and name, and lists the nodes running pods (the kubelet summaries to read). */
export interface PodDirectory {
  lookup(namespace: string, name: string): PodIdentity | undefined;
  /** Nodes that run at least one pod that has not finished. */
  nodes(): string[];
  /** False once the pod is deleted: its containers need no more gap records. */
  hasPod(uid: string): boolean;
}
