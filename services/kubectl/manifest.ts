import { parseAllDocuments } from 'yaml';
import { parseBytes, parseCores } from '../collector/kube/quantity.js';
import { KcostError } from '../errors/kcost-error.js';

/** What one workload of a manifest asks for: per replica, and how many replicas. */
export interface WorkloadRequests {
  readonly kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  readonly name: string;
  readonly namespace: string;
  /** Replicas, or for a DaemonSet the node count it runs on. */
  readonly replicas: number;
  readonly cpuCores: number;
  readonly memoryBytes: number;
  readonly gpus: number;
  /** Volume claims per replica (StatefulSet volumeClaimTemplates). */
  readonly volumes: ReadonlyArray<{ readonly storageClass: string; readonly bytes: number }>;
}

export interface ParsedManifest {
  readonly workloads: readonly WorkloadRequests[];
  /** Documents that are not workloads the estimate prices, as "Kind/name". */
  readonly skipped: readonly string[];
}

const KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;
const GPU_RESOURCES = ['nvidia.com/gpu', 'amd.com/gpu'];

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);

/**
 * Reads the requests of every Deployment, StatefulSet and DaemonSet in a
 * multi-document YAML manifest (List objects included). A container's request
 * defaults to its limit, as the API server does. A pod's request is the
 * larger of its containers' sum and its largest init container, which is how
 * the scheduler reserves room.
 */
export function parseManifest(source: string, daemonSetNodes: number, file = 'manifest'): ParsedManifest {
  const workloads: WorkloadRequests[] = [];
  const skipped: string[] = [];
  const documents = parseAllDocuments(source);
  for (const document of Array.isArray(documents) ? documents : [documents]) {
    if (document.errors.length > 0) throw new KcostError('BAD_MANIFEST', `${file}: ${document.errors[0]?.message ?? 'invalid YAML'}`);
    const root = obj(document.toJS());
    const items = root.kind === 'List' ? list(root.items).map(obj) : [root];
    for (const item of items) {
      if (Object.keys(item).length === 0) continue;
      const kind = text(item.kind);
      const name = text(obj(item.metadata).name, '(unnamed)');
      if (!(KINDS as readonly string[]).includes(kind)) {
        skipped.push(`${kind || '(no kind)'}/${name}`);
        continue;
      }
      workloads.push(workloadRequests(kind as WorkloadRequests['kind'], item, daemonSetNodes, `${file}: ${kind}/${name}`));
    }
  }
  return { workloads, skipped };
}

function workloadRequests(kind: WorkloadRequests['kind'], item: Json, daemonSetNodes: number, where: string): WorkloadRequests {
  const spec = obj(item.spec);
  const podSpec = obj(obj(spec.template).spec);
  const containers = list(podSpec.containers).map(obj);
  if (containers.length === 0) throw new KcostError('BAD_MANIFEST', `${where} has no spec.template.spec.containers`);
  const sum = (items: Json[]) => items.map((c) => containerRequests(c, where)).reduce((a, b) => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory, gpu: a.gpu + b.gpu }), { cpu: 0, memory: 0, gpu: 0 });
  const main = sum(containers);
  const init = list(podSpec.initContainers).map(obj).map((c) => containerRequests(c, where));
  const replicasRaw = spec.replicas ?? 1;
  if (kind !== 'DaemonSet' && (typeof replicasRaw !== 'number' || !Number.isInteger(replicasRaw) || replicasRaw < 0)) {
    throw new KcostError('BAD_MANIFEST', `${where}: spec.replicas ${JSON.stringify(replicasRaw)} is not a whole number`);
  }
  return {
    kind,
    name: text(obj(item.metadata).name, '(unnamed)'),
    namespace: text(obj(item.metadata).namespace, 'default'),
    replicas: kind === 'DaemonSet' ? daemonSetNodes : (replicasRaw as number),
    cpuCores: Math.max(main.cpu, ...init.map((c) => c.cpu)),
    memoryBytes: Math.max(main.memory, ...init.map((c) => c.memory)),
    gpus: Math.max(main.gpu, ...init.map((c) => c.gpu)),
    volumes:
      kind === 'StatefulSet'
        ? list(spec.volumeClaimTemplates).map(obj).map((claim) => {
            const claimSpec = obj(claim.spec);
            const storage = obj(obj(claimSpec.resources).requests).storage;
            return { storageClass: text(claimSpec.storageClassName), bytes: storage === undefined ? 0 : parseBytes(quantityText(storage, `${where} volume claim storage`), `${where} volume claim storage`) };
          })
        : [],
  };
}

function containerRequests(container: Json, where: string): { cpu: number; memory: number; gpu: number } {
  const resources = obj(container.resources);
  const requests = obj(resources.requests);
  const limits = obj(resources.limits);
  const pick = (name: string): string | undefined => {
    const value = requests[name] ?? limits[name];
    return value === undefined ? undefined : quantityText(value, `${where} ${name}`);
  };
  const label = `${where} container ${text(container.name, '(unnamed)')}`;
  const cpu = pick('cpu');
  const memory = pick('memory');
  const gpu = GPU_RESOURCES.map(pick).find((v) => v !== undefined);
  return {
    cpu: cpu === undefined ? 0 : parseCores(cpu, `${label} cpu`),
    memory: memory === undefined ? 0 : parseBytes(memory, `${label} memory`),
    gpu: gpu === undefined ? 0 : parseCores(gpu, `${label} gpu`),
  };
}

/** A quantity as YAML gives it: a string ("500m") or a plain number (2). */
function quantityText(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new KcostError('BAD_MANIFEST', `${what}: ${JSON.stringify(value)} is not a quantity`);
}
