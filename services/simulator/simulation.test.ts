import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KubeObject, NodeUsage, PriceUpdate, UsageSample } from '../codec/records.generated.js';
import { selectorMatches } from '../collector/kube/label-selector.js';
import { samplesOfNodeUsage } from '../kafka/node-usage.js';
import { kubeObjectKey, nodeKey, podKey, priceKey } from '../kafka/topics.js';
import { ARM_CATALOG_TYPES, CPU_INSTANCE_TYPES, GPU_INSTANCE_TYPES, PRICE_CATALOG } from './instance-catalog.js';
import { createSimulation, type SimulationEvent, type SimulationOptions } from './simulation.js';
import { containerUsage, diurnalFactor } from './usage-model.js';

const START = Date.parse('2026-01-05T00:00:00Z');
const HOUR = 3_600_000;
const small: SimulationOptions = { cluster: 'sim-a', seed: 10, nodes: 6, pods: 60, startMillis: START, durationMillis: 24 * HOUR, windowSeconds: 300, anomalies: 4 };

function digest(events: Iterable<SimulationEvent>): { count: number; sha: string } {
  const hash = createHash('sha256');
  let count = 0;
  for (const e of events) {
    hash.update(JSON.stringify(e));
    count++;
  }
  return { count, sha: hash.digest('hex') };
}

const all = (options: SimulationOptions): SimulationEvent[] => [...createSimulation(options).events()];
const usage = (events: readonly SimulationEvent[]): UsageSample[] => events.filter((e) => e.schema === 'UsageSample').map((e) => e.value as UsageSample);
const kube = (events: readonly SimulationEvent[]): KubeObject[] => events.filter((e) => e.schema === 'KubeObject').map((e) => e.value as KubeObject);

describe('createSimulation', () => {
  const events = all(small);

  it('is deterministic for a seed, and a different seed gives a different cluster', () => {
    expect(digest(createSimulation(small).events())).toEqual(digest(events));
    expect(createSimulation(small).groundTruth()).toEqual(createSimulation(small).groundTruth());
    expect(digest(createSimulation({ ...small, seed: 11 }).events()).sha).not.toBe(digest(events).sha);
  });

  it('yields records in event-time order with the collectors’ topics and keys', () => {
    const outOfOrder = events.filter((e, i) => i > 0 && e.atMillis < (events[i - 1] as SimulationEvent).atMillis);
    expect(outOfOrder).toEqual([]);
    const wrong = events.filter((e) => {
      if (e.schema === 'KubeObject') return e.topic !== 'kcost.kube.v1' || e.key !== kubeObjectKey(e.value as KubeObject);
      if (e.schema === 'UsageSample') return e.topic !== 'kcost.usage.v1' || e.key !== podKey(e.value as UsageSample);
      return e.topic !== 'kcost.prices.v1' || e.schema !== 'PriceUpdate' || e.key !== priceKey(e.value as never);
    });
    expect(wrong).toEqual([]);
    const kinds = new Set(kube(events).map((o) => o.kind));
    expect([...kinds].sort()).toEqual(['HORIZONTAL_POD_AUTOSCALER', 'NAMESPACE', 'NODE', 'PERSISTENT_VOLUME', 'PERSISTENT_VOLUME_CLAIM', 'POD', 'POD_DISRUPTION_BUDGET', 'WORKLOAD']);
    const workloadKinds = new Set(kube(events).flatMap((o) => (o.pod?.workload ? [o.pod.workload.kind] : [])));
    expect([...workloadKinds].sort()).toEqual(['CronJob', 'DaemonSet', 'Deployment', 'StatefulSet']);
  });

  it('keeps every running pod within its node: requests fit allocatable, usage only on live nodes from the pod’s own windows', () => {
    const nodes = new Map<string, KubeObject>();
    const running = new Map<string, KubeObject>();
    const problems: string[] = [];
    const check = (at: number): void => {
      const load = new Map<string, { cpu: number; mem: number; gpu: number }>();
      for (const pod of running.values()) {
        const name = pod.pod?.nodeName ?? '';
        const l = load.get(name) ?? { cpu: 0, mem: 0, gpu: 0 };
        for (const c of pod.pod?.containers ?? []) {
          l.cpu += c.cpuRequestCores;
          l.mem += c.memoryRequestBytes;
          l.gpu += c.gpuRequest;
        }
        load.set(name, l);
      }
      for (const [name, l] of load) {
        const node = nodes.get(name)?.node;
        if (!node) problems.push(`${at}: pods on missing node ${name}`);
        else if (l.cpu > node.cpuAllocatableCores + 1e-9 || l.mem > node.memoryAllocatableBytes || l.gpu > node.gpuAllocatable) problems.push(`${at}: ${name} overcommitted`);
      }
    };
    let churn = 0;
    let lastCheck = -1;
    for (const e of events) {
      if (e.schema === 'KubeObject') {
        const o = e.value as KubeObject;
        if (o.kind === 'NODE') {
          if (o.deletedAt === null) nodes.set(o.name, o);
          else nodes.delete(o.name);
        }
        if (o.kind === 'POD' && o.pod?.nodeName) {
          if (o.pod.endedAt === null) running.set(o.uid, o);
          else {
            running.delete(o.uid);
            churn++;
          }
        }
      } else if (e.schema === 'UsageSample') {
        // State is checked once all changes of an instant are in, before that instant's usage.
        if (lastCheck !== e.atMillis) check(e.atMillis);
        lastCheck = e.atMillis;
        const s = e.value as UsageSample;
        const pod = running.get(s.podUid);
        if (!pod) problems.push(`usage for ${s.podName} at ${s.windowStart}, which is not running`);
        else if (s.windowStart < (pod.pod?.startedAt ?? Number.POSITIVE_INFINITY) || s.nodeName !== pod.pod?.nodeName || !nodes.has(s.nodeName ?? '')) problems.push(`usage for ${s.podName} outside its pod or node`);
      }
    }
    expect(problems).toEqual([]);
    // Rollouts, restarts, CronJob runs and spot replacements all happened.
    expect(churn).toBeGreaterThan(20);
    const deletedNodes = kube(events).filter((o) => o.kind === 'NODE' && o.deletedAt !== null);
    expect(deletedNodes.every((n) => n.node?.capacityType === 'SPOT')).toBe(true);
  });

  it('shapes one container’s usage as the daily sinusoid: (1 + a) / (1 − a) between peak and trough', () => {
    const profile = { cpuUtilisation: 0.5, memoryUtilisation: 0.5, diurnalAmplitude: 0.4, peakHour: 15, noise: 0 };
    const container = { name: 'app', cpuRequestCores: 1, cpuLimitCores: null, memoryRequestBytes: 2 ** 30, memoryLimitBytes: null, gpuRequest: 0 };
    const at = (hour: number, factor = 1): number =>
      containerUsage({ seed: 1, profile, container, noiseKey: 1, windowIndex: hour, windowStartMillis: START + hour * HOUR - 30_000, windowMillis: 60_000, factor, nodeCpuCores: 4, nodeMemoryBytes: 2 ** 34 }).cpuCores;
    expect(at(15)).toBeCloseTo(0.5 * 1.4, 9);
    expect(at(3)).toBeCloseTo(0.5 * 0.6, 9);
    expect(at(9)).toBeCloseTo(0.5, 9);
    expect(diurnalFactor(profile, START + 15 * HOUR)).toBeCloseTo(1.4, 9);
    // An anomaly multiplies usage, but never past what the node has.
    expect(at(15, 3)).toBeCloseTo(2.1, 9);
    expect(at(15, 10)).toBe(4);
  });

  it('gives usage a daily cycle: the afternoon uses clearly more CPU than the night', () => {
    const cpuByHour = (samples: UsageSample[]): (hours: number[]) => number => {
      const byHour = new Map<number, number>();
      for (const s of samples) byHour.set(new Date(s.windowStart).getUTCHours(), (byHour.get(new Date(s.windowStart).getUTCHours()) ?? 0) + s.cpuCoreSeconds);
      return (hours) => hours.reduce((sum, h) => sum + (byHour.get(h) ?? 0), 0) / hours.length;
    };
    // Without anomalies the afternoon peak is the daily cycle alone; anomalies only touch the second half of the run.
    const quiet = cpuByHour(usage(all({ ...small, anomalies: 0 })));
    expect(quiet([13, 14, 15, 16])).toBeGreaterThan(1.3 * quiet([1, 2, 3, 4]));
    expect(cpuByHour(usage(events))([1, 2, 3, 4])).toBeCloseTo(quiet([1, 2, 3, 4]), 6);
  });

  it('publishes spot price changes with their own effective times, and on-demand prices once', () => {
    const prices = events.filter((e) => e.schema === 'PriceUpdate').map((e) => e.value as { capacityType: string; effectiveFrom: number; kind: string });
    expect(prices.filter((p) => p.capacityType === 'ON_DEMAND').every((p) => p.effectiveFrom === START)).toBe(true);
    expect(prices.filter((p) => p.capacityType === 'SPOT' && p.effectiveFrom > START).length).toBeGreaterThan(0);
    expect(prices.some((p) => p.kind === 'STORAGE')).toBe(true);
  });

  it('writes ground truth that matches the injected changes: usage or replicas times the factor inside the interval, unchanged outside', () => {
    const truth = createSimulation(small).groundTruth();
    expect(new Set(truth.map((t) => t.scope))).toEqual(new Set(['WORKLOAD', 'NAMESPACE']));
    // The same seed without anomalies is the counterfactual: the same pods with the same noise.
    const baseline = usage(all({ ...small, anomalies: 0 }));
    const withAnomalies = usage(events);
    const workloadOf = new Map(kube(events).filter((o) => o.kind === 'POD').map((p) => [p.uid, `${p.namespace}/${p.pod?.workload?.kind}/${p.pod?.workload?.name}`]));
    const cpu = (samples: UsageSample[], pick: (s: UsageSample) => boolean): number => samples.filter(pick).reduce((sum, s) => sum + s.cpuCoreSeconds, 0);
    // Network rides on a pod's first container only, so counting those counts pod-windows.
    const podWindows = (samples: UsageSample[], pick: (s: UsageSample) => boolean): number => samples.filter((s) => pick(s) && s.networkRxBytes !== null).length;
    const kinds = { replicas: 0, usage: 0 };
    for (const t of truth.filter((x) => x.scope === 'WORKLOAD')) {
      const mine = (s: UsageSample): boolean => workloadOf.get(s.podUid) === t.key;
      const during = (s: UsageSample, e: { startMillis: number; endMillis: number }): boolean => s.windowStart >= e.startMillis && s.windowStart < e.endMillis;
      const inside = (s: UsageSample): boolean => mine(s) && during(s, t);
      const outsideAll = (s: UsageSample): boolean => mine(s) && !truth.some((e) => e.key === t.key && during(s, e));
      expect(cpu(withAnomalies, outsideAll)).toBeCloseTo(cpu(baseline, outsideAll), 6);
      const replicaRatio = podWindows(withAnomalies, inside) / podWindows(baseline, inside);
      if (replicaRatio > 1.01) {
        kinds.replicas++;
        expect(replicaRatio).toBeCloseTo(t.factor, 6);
      } else {
        kinds.usage++;
        const ratio = cpu(withAnomalies, inside) / cpu(baseline, inside);
        expect(ratio).toBeLessThanOrEqual(t.factor + 1e-9);
        expect(ratio).toBeGreaterThan(0.9 * t.factor);
      }
    }
    expect(kinds.replicas).toBeGreaterThan(0);
    expect(kinds.usage).toBeGreaterThan(0);
    const ns = truth.find((t) => t.scope === 'NAMESPACE');
    expect(truth.filter((t) => t.scope === 'WORKLOAD' && t.startMillis === ns?.startMillis).every((t) => t.key.startsWith(`${ns?.key}/`) && t.factor === ns?.factor)).toBe(true);
    for (const t of truth) expect(t.startMillis).toBeGreaterThanOrEqual(START + 12 * HOUR);
  });
});

describe('inputs of cluster-savings advice', () => {
  const events = all(small);
  const objects = kube(events);
  const prices = events.filter((e) => e.schema === 'PriceUpdate').map((e) => e.value as PriceUpdate);
  const nodes = objects.filter((o) => o.kind === 'NODE');
  const pods = objects.filter((o) => o.kind === 'POD');
  /** The latest state of each object by uid. */
  const latest = (kind: KubeObject['kind']): KubeObject[] => [...new Map(objects.filter((o) => o.kind === kind).map((o) => [o.uid, o])).values()];

  it('labels every node with its node pool, architecture, instance type and zone; GPU nodes in a pool of their own', () => {
    for (const node of nodes) {
      expect(node.labels).toMatchObject({
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': node.node?.instanceType,
        'topology.kubernetes.io/zone': node.node?.zone,
        'topology.kubernetes.io/region': 'us-east-1',
        'karpenter.sh/nodepool': (node.node?.gpuCapacity ?? 0) > 0 ? 'gpu' : 'general',
      });
    }
    expect(new Set(nodes.map((n) => n.labels['karpenter.sh/nodepool']))).toEqual(new Set(['general', 'gpu']));
  });

  it('publishes every catalog type on demand with its shape, ARM siblings included, and runs no node on an ARM type', () => {
    const onDemand = new Map(prices.filter((p) => p.kind === 'NODE' && p.capacityType === 'ON_DEMAND').map((p) => [p.sku, p]));
    expect([...onDemand.keys()].sort()).toEqual(PRICE_CATALOG.map((t) => t.name).sort());
    for (const type of PRICE_CATALOG) {
      expect(onDemand.get(type.name)).toMatchObject({ hourlyUsd: type.onDemandHourlyUsd, vcpus: type.vcpu, memoryBytes: type.memoryGib * 1024 ** 3, gpus: type.gpus, architecture: type.architecture });
    }
    // Each ARM sibling matches the size of an x86 type and costs less.
    for (const armType of ARM_CATALOG_TYPES) {
      const x86 = CPU_INSTANCE_TYPES.map(([t]) => t).filter((t) => t.vcpu === armType.vcpu && t.memoryGib === armType.memoryGib);
      expect(x86.length, armType.name).toBeGreaterThan(0);
      expect(x86.every((t) => t.onDemandHourlyUsd > armType.onDemandHourlyUsd), armType.name).toBe(true);
    }
    const nodeTypes = new Set([...CPU_INSTANCE_TYPES, ...GPU_INSTANCE_TYPES].map(([t]) => t.name));
    expect(nodes.every((n) => nodeTypes.has(n.node?.instanceType ?? ''))).toBe(true);
  });

  it('prices spot for every type and zone a node runs in, with several points over the run, shapes included', () => {
    const spot = prices.filter((p) => p.kind === 'NODE' && p.capacityType === 'SPOT');
    expect(spot.every((p) => p.zone !== null && p.vcpus !== null && p.architecture === 'amd64')).toBe(true);
    for (const node of nodes) {
      const series = spot.filter((p) => p.sku === node.node?.instanceType && p.zone === node.node.zone);
      expect(series.length, `${node.node?.instanceType} in ${node.node?.zone}`).toBeGreaterThan(3);
      expect(series.every((p) => p.hourlyUsd !== null && p.hourlyUsd < (prices.find((o) => o.sku === p.sku && o.capacityType === 'ON_DEMAND')?.hourlyUsd ?? 0))).toBe(true);
    }
  });

  it('has a Deployment whose budget allows a disruption, one whose budget allows none, and multi-replica ones without a budget', () => {
    const budgets = latest('POD_DISRUPTION_BUDGET');
    expect(budgets).toHaveLength(2);
    const deployments = latest('WORKLOAD').filter((w) => w.workload?.controllerKind === 'Deployment');
    const covered = (budget: KubeObject): KubeObject[] =>
      pods.filter((p) => p.namespace === budget.namespace && selectorMatches(p.labels, budget.disruptionBudget?.matchLabels ?? {}, budget.disruptionBudget?.matchExpressions ?? []));
    const [allows, allowsNone] = budgets.sort((a, b) => (b.disruptionBudget?.disruptionsAllowed ?? 0) - (a.disruptionBudget?.disruptionsAllowed ?? 0));
    expect(allows?.disruptionBudget).toMatchObject({ maxUnavailable: '1', minAvailable: null });
    expect(allows?.disruptionBudget?.disruptionsAllowed).toBeGreaterThan(0);
    expect(allowsNone?.disruptionBudget).toMatchObject({ minAvailable: '100%', maxUnavailable: null });
    // Never a disruption allowed, in any state the run published.
    expect(objects.filter((o) => o.uid === allowsNone?.uid).every((o) => o.disruptionBudget?.disruptionsAllowed === 0)).toBe(true);
    for (const budget of [allows, allowsNone]) {
      // Each covers exactly the pods of one multi-replica Deployment.
      const workloads = new Set(covered(budget!).map((p) => `${p.pod?.workload?.kind}/${p.pod?.workload?.name}`));
      expect(workloads.size).toBe(1);
      const [kind, name] = [...workloads][0]!.split('/');
      expect(kind).toBe('Deployment');
      expect(deployments.find((d) => d.name === name && d.namespace === budget!.namespace)?.workload?.desiredReplicas).toBeGreaterThan(1);
    }
    const unbudgeted = deployments.filter((d) => (d.workload?.desiredReplicas ?? 0) > 1 && !budgets.some((b) => covered(b).some((p) => p.pod?.workload?.name === d.name && p.namespace === d.namespace)));
    expect(unbudgeted.length).toBeGreaterThan(0);
  });

  it("puts one StatefulSet's claims on local volumes, which its pods mount", () => {
    const volumes = latest('PERSISTENT_VOLUME');
    const local = volumes.filter((v) => v.volume?.local);
    expect(local.length).toBeGreaterThan(0);
    expect(local.every((v) => v.volume?.storageClass === 'local-storage' && v.volume.driver === 'local')).toBe(true);
    expect(volumes.some((v) => v.volume?.local === false)).toBe(true);
    const owners = new Set(
      pods.filter((p) => p.pod?.claimNames.some((c) => local.some((v) => v.volume?.claimName === c && v.volume.claimNamespace === p.namespace))).map((p) => `${p.namespace}/${p.pod?.workload?.kind}/${p.pod?.workload?.name}`),
    );
    expect(owners.size).toBe(1);
    expect([...owners][0]).toMatch(/\/StatefulSet\//);
    // Priced like gp3, so the cluster's costs stay as they were.
    expect(prices.find((p) => p.kind === 'STORAGE' && p.sku === 'local-storage')?.storageGibMonthUsd).toBe(prices.find((p) => p.kind === 'STORAGE' && p.sku === 'gp3')?.storageGibMonthUsd);
  });
});

describe('usage as node windows', () => {
  const short: SimulationOptions = { ...small, durationMillis: 2 * HOUR };
  const perSample = all(short);
  const byNodeWindow = all({ ...short, topics: { usageNodeWindow: 'kcost.usage.nodewindow.v1' } });
  const order = (a: UsageSample, b: UsageSample) => `${a.windowStart}/${a.podUid}/${a.container}`.localeCompare(`${b.windowStart}/${b.podUid}/${b.container}`);

  it('publishes the same samples, one NodeUsage per node and window keyed by node, and the same state and prices', () => {
    const records = byNodeWindow.filter((e) => e.schema === 'NodeUsage');
    const nodeWindows = records.map((e) => e.value as NodeUsage);
    expect(records.every((e) => e.topic === 'kcost.usage.nodewindow.v1' && e.key === nodeKey(e.value as NodeUsage))).toBe(true);
    expect(new Set(nodeWindows.map((r) => `${r.nodeName}/${r.windowStart}`)).size).toBe(nodeWindows.length);
    // Every simulated sample names its node, so none is left for kcost.usage.v1.
    expect(usage(byNodeWindow)).toEqual([]);
    expect(nodeWindows.flatMap(samplesOfNodeUsage).sort(order)).toEqual(usage(perSample).sort(order));
    expect(byNodeWindow.filter((e) => e.schema !== 'NodeUsage')).toEqual(perSample.filter((e) => e.schema !== 'UsageSample'));
  });
});
