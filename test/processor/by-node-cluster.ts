// The small cluster both by-node usage tests price: six m5.2xlarge nodes,
// half of them spot, plus node-6 with no pod at all (its partition learns
// the windows only from the others' announcements), and 24 pods of one
// Deployment spread over the six.
import type { KubeObject, PriceUpdate, UsageSample } from '../../services/codec/records.generated.js';
import { container, nodeObject, podObject, priceUpdate, usageSample } from '../../services/processor/record-builders.js';

export const NODES = 6;
export const PODS = 24;
const HOUR = 3_600_000;

const nodeName = (n: number) => `node-${n}`;
const nodeOfPod = (i: number) => nodeName(i % NODES);

export const kubeObjects: readonly KubeObject[] = [
  ...Array.from({ length: NODES + 1 }, (_, n) => nodeObject({ name: nodeName(n), instanceType: 'm5.2xlarge', capacityType: n % 2 === 0 ? 'SPOT' : 'ON_DEMAND', cores: 8, memoryGib: 32 })),
  ...Array.from({ length: PODS }, (_, i) => podObject({ name: `web-${i}`, namespace: 'shop', nodeName: nodeOfPod(i), containers: [container('app', 1, 2)], workload: { kind: 'Deployment', name: 'web' } })),
];

/** On-demand and spot prices in effect from a day before t0. */
export function priceUpdates(t0: number): PriceUpdate[] {
  return [
    priceUpdate({ sku: 'm5.2xlarge', effectiveFrom: t0 - 86_400_000, hourlyUsd: 0.384 }),
    priceUpdate({ sku: 'm5.2xlarge', capacityType: 'SPOT', source: 'aws-spot', effectiveFrom: t0 - 86_400_000, hourlyUsd: 0.15 }),
  ];
}

/**
 * An hour of usage of every pod, some above their request. Pods for which
 * `withoutNode` holds leave their node to the pod state, so their samples
 * take the pod-keyed usage topic.
 */
export function hourOfUsage(t0: number, hour: number, withoutNode: (pod: number) => boolean): UsageSample[] {
  return Array.from({ length: PODS }, (_, i) => {
    const sample = usageSample({ podName: `web-${i}`, namespace: 'shop', container: 'app', windowStart: t0 + hour * HOUR, windowSeconds: 3600, cpuCores: 0.5 + ((i * 7 + hour) % 5) * 0.4, memoryGib: 1 + (i % 3) });
    return { ...sample, nodeName: withoutNode(i) ? null : nodeOfPod(i) };
  });
}
