import { describe, expect, it } from 'vitest';
import { defaultRates, estimateMonthly, ratesFromNodePrice } from './estimate.js';
import { parseManifest } from './manifest.js';

const GIB = 1024 ** 3;

describe('parseManifest', () => {
  it('takes requests (or limits), the larger of the containers and the biggest init container, replicas and claims', () => {
    const { workloads, skipped } = parseManifest(
      `
kind: List
items:
  - kind: Deployment
    metadata: { name: a, namespace: x }
    spec:
      replicas: 2
      template:
        spec:
          initContainers: [{ name: i, resources: { requests: { cpu: "4", memory: 64Mi } } }]
          containers:
            - { name: c1, resources: { requests: { cpu: 250m, memory: 1Gi, nvidia.com/gpu: 1 } } }
            - { name: c2, resources: { limits: { cpu: 250m, memory: 512Mi } } }
  - kind: ConfigMap
    metadata: { name: settings }
---
kind: StatefulSet
metadata: { name: s }
spec:
  template: { spec: { containers: [{ name: c }] } }
  volumeClaimTemplates: [{ spec: { resources: { requests: { storage: 5Gi } } } }]
`,
      7,
    );
    expect(skipped).toEqual(['ConfigMap/settings']);
    expect(workloads).toEqual([
      { kind: 'Deployment', name: 'a', namespace: 'x', replicas: 2, cpuCores: 4, memoryBytes: 1.5 * GIB, gpus: 1, volumes: [] },
      { kind: 'StatefulSet', name: 's', namespace: 'default', replicas: 1, cpuCores: 0, memoryBytes: 0, gpus: 0, volumes: [{ storageClass: '', bytes: 5 * GIB }] },
    ]);
  });

  it('runs a DaemonSet on the given node count and names the bad value of a broken manifest', () => {
    const ds = 'kind: DaemonSet\nmetadata: { name: d }\nspec: { template: { spec: { containers: [{ name: c, resources: { requests: { cpu: 1 } } }] } } }';
    expect(parseManifest(ds, 5).workloads[0]?.replicas).toBe(5);
    expect(() => parseManifest(ds.replace('cpu: 1', 'cpu: lots'), 1, 'm.yaml')).toThrow(/m.yaml: DaemonSet\/d container c cpu: "lots" is not a Kubernetes quantity/);
    expect(() => parseManifest('kind: Deployment\nmetadata: { name: e }\nspec: { template: { spec: {} } }', 1)).toThrow(/has no spec.template.spec.containers/);
  });
});

describe('rates and the monthly estimate', () => {
  it('splits a whole-node price by the CPU:GiB ratio so the node\'s capacity costs exactly its price', () => {
    const rates = ratesFromNodePrice({ hourlyUsd: 0.09, cpuCoreHourUsd: null, memoryGibHourUsd: null, gpuHourUsd: null }, { cpuCores: 2, memoryGib: 8 });
    expect(rates).toBeDefined();
    expect(2 * (rates?.cpuCoreHourUsd ?? 0) + 8 * (rates?.memoryGibHourUsd ?? 0)).toBeCloseTo(0.09, 12);
    expect((rates?.cpuCoreHourUsd ?? 0) / (rates?.memoryGibHourUsd ?? 1)).toBeCloseTo(0.031611 / 0.004237, 9);
    expect(ratesFromNodePrice({ hourlyUsd: 0.09, cpuCoreHourUsd: null, memoryGibHourUsd: null, gpuHourUsd: null }, { cpuCores: 0, memoryGib: 0 })).toBeUndefined();
  });

  it('prices replicas × requests for 730 hours plus claims per GiB-month', () => {
    // 2 replicas × (1 core × 0.1 + 2 GiB × 0.01 + 1 GPU × 1) = 2.24 $/h → 1635.2 $/month; 2 × 10 GiB × 0.05 = 1 $/month.
    const [estimate] = estimateMonthly(
      [{ kind: 'StatefulSet', name: 's', namespace: 'n', replicas: 2, cpuCores: 1, memoryBytes: 2 * GIB, gpus: 1, volumes: [{ storageClass: 'fast', bytes: 10 * GIB }] }],
      { cpuCoreHourUsd: 0.1, memoryGibHourUsd: 0.01, gpuHourUsd: 1, storageGibMonthUsd: (c) => (c === 'fast' ? 0.05 : 1), source: 'test' },
    );
    expect(estimate?.hourlyUsd).toBeCloseTo(2.24, 12);
    expect(estimate?.monthlyUsd).toBeCloseTo(1635.2 + 1, 9);
    expect(defaultRates('SPOT')).toEqual({ cpuCoreHourUsd: 0.006655, memoryGibHourUsd: 0.000892, gpuHourUsd: 0.95 });
  });
});
