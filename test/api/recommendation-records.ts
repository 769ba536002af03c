import { NO_DETAILS } from '../../services/recommender/recommendation.js';
import type { Recommendation } from '../../services/codec/records.generated.js';
import { recommendation } from '../fixtures/storage/recommendations.js';

const HOUR = 3_600_000;
const T = Date.parse('2026-11-01T03:00:00Z');
const MIB = 1_048_576;

/**
 * The recommendations the API and kubectl tests load through the sink:
 * workloads of both clusters, every risk, a negative saving (an
 * under-provisioned container), a CronJob, an HPA to retarget, and one key
 * published twice with its older version last (the API must show the newer),
 * an orphaned volume and a DaemonSet-only node (no workload columns at all),
 * and an idle workload (workload columns, no container).
 */
export function recommendationRecords(): Recommendation[] {
  const frontendOld = recommendation({ target: { cluster: 'c1', namespace: 'web', workloadName: 'frontend', container: 'app' }, generatedAt: T - 5 * HOUR, savingUsd: 99 });
  return [
    recommendation({
      target: { cluster: 'c1', namespace: 'web', workloadName: 'frontend', container: 'app' },
      generatedAt: T,
      savingUsd: 40,
      // The CPU limit goes (kcost sets none): the patch deletes it.
      cpu: { currentLimit: 2 },
      hpa: [{ resource: 'cpu', currentTargetUtilizationPercent: 60, recommendedTargetUtilizationPercent: 80, note: 'Raise the target to 80 % so the HPA keeps the same replicas for the same load.' }],
    }),
    frontendOld,
    recommendation({
      target: { cluster: 'c1', namespace: 'web', workloadName: 'frontend', container: 'sidecar' },
      generatedAt: T,
      savingUsd: 2.5,
      memory: { action: 'KEEP', recommendedRequest: 1_073_741_824, recommendedLimit: 1_073_741_824 },
    }),
    recommendation({
      target: { cluster: 'c1', namespace: 'api', workloadKind: 'StatefulSet', workloadName: 'db', container: 'postgres' },
      generatedAt: T - HOUR,
      savingUsd: 120,
      risk: 'MEDIUM',
      cpu: { currentRequest: 4, currentLimit: 4, recommendedRequest: 1.5, recommendedLimit: 1.5 },
    }),
    recommendation({
      target: { cluster: 'c1', namespace: 'api', workloadName: 'gateway', container: 'envoy' },
      generatedAt: T - 2 * HOUR,
      savingUsd: -8,
      risk: 'MEDIUM',
      cpu: { currentRequest: 0.1, recommendedRequest: 0.25, reasons: ['UNDER_PROVISIONED'] },
      memory: { action: 'NONE', recommendedRequest: null, recommendedLimit: null, reasons: ['INSUFFICIENT_HISTORY'] },
    }),
    recommendation({
      target: { cluster: 'c2', namespace: 'batch', workloadKind: 'CronJob', workloadName: 'nightly', container: 'job' },
      generatedAt: T - 3 * HOUR,
      savingUsd: 15,
      risk: 'HIGH',
      cpu: { action: 'KEEP', currentRequest: 2, recommendedRequest: 2 },
      memory: { currentRequest: 4096 * MIB, currentLimit: 4096 * MIB, recommendedRequest: 1400 * MIB, recommendedLimit: 1536 * MIB },
    }),
    orphanedVolume(),
    daemonSetOnlyNode(),
    idleWorkload(),
  ];
}

/** c1/api/Deployment/legacy, one container idle for the window: 60 USD a month, superseding its right-sizing record. */
export function idleWorkload(): Recommendation {
  return {
    ...NO_DETAILS,
    kind: 'IDLE_WORKLOAD',
    key: 'c1/api/Deployment/legacy',
    cluster: 'c1',
    generatedAt: T - 6 * HOUR,
    confidence: 0.95,
    risk: 'MEDIUM',
    reasons: ['IDLE'],
    strategy: { name: 'idle-workload', parameters: { maxCpuP95Cores: 0.01, maxMemoryPeakRatio: 1.25, minConfidence: 0.9, rightSizingStrategy: 'kcost' } },
    saving: { currentMonthlyUsd: 60, recommendedMonthlyUsd: 0, monthlySavingsUsd: 60, priceSources: ['aws-pricing'] },
    idleWorkload: {
      target: { cluster: 'c1', namespace: 'api', workloadKind: 'Deployment', workloadName: 'legacy' },
      replicas: 2,
      supersedes: ['c1/api/Deployment/legacy/app'],
      containers: [{ container: 'app', cpuP95Cores: 0.01, cpuRequestCores: 0.5, memoryP50Bytes: 200 * MIB, memoryMaxBytes: 210 * MIB, historyHours: 330 }],
    },
  };
}

/** A c2 node that ran only kube-proxy for two days: 100 USD a month. */
export function daemonSetOnlyNode(): Recommendation {
  return {
    ...NO_DETAILS,
    kind: 'DAEMONSET_ONLY_NODE',
    key: 'c2/Node/ip-10-0-0-1',
    cluster: 'c2',
    generatedAt: T - 5 * HOUR,
    confidence: 1,
    risk: 'LOW',
    reasons: ['ONLY_DAEMONSETS'],
    strategy: { name: 'daemonset-only-node', parameters: { daemonSetsOnlyForHours: 24, hoursPerMonth: 730 } },
    saving: { currentMonthlyUsd: 100, recommendedMonthlyUsd: 0, monthlySavingsUsd: 100, priceSources: ['aws-pricing'] },
    daemonSetOnlyNode: {
      target: { cluster: 'c2', node: 'ip-10-0-0-1' },
      provider: 'aws',
      instanceType: 'm5.xlarge',
      capacityType: 'ON_DEMAND',
      hourlyUsd: 100 / 730,
      daemonSetsOnlySince: T - 53 * HOUR,
      lastWorkloadPodAt: T - 53 * HOUR,
      lastWorkloadPod: 'batch/nightly-29361',
      daemonSets: ['kube-system/kube-proxy'],
    },
  };
}

/** A never-mounted 100 GiB claim in c1/web, unmounted since 10 days before T: 4 USD a month at 0.04 $/GiB-month. */
export function orphanedVolume(): Recommendation {
  return {
    ...NO_DETAILS,
    kind: 'ORPHANED_VOLUME',
    key: 'c1/web/PersistentVolumeClaim/scratch',
    cluster: 'c1',
    generatedAt: T - 4 * HOUR,
    confidence: 1,
    risk: 'LOW',
    reasons: ['UNMOUNTED', 'NEVER_MOUNTED'],
    strategy: { name: 'orphaned-volume', parameters: { unmountedForHours: 168, hoursPerMonth: 730 } },
    saving: { currentMonthlyUsd: 4, recommendedMonthlyUsd: 0, monthlySavingsUsd: 4, priceSources: ['default'] },
    orphanedVolume: {
      target: { cluster: 'c1', namespace: 'web', claimName: 'scratch', persistentVolume: 'pvc-0a1b' },
      storageClass: 'gp3',
      phase: 'Bound',
      capacityBytes: 100 * 1024 * MIB,
      storageGibMonthUsd: 0.04,
      unmountedSince: T - 240 * HOUR,
      lastMountedAt: null,
      lastMountedBy: null,
    },
  };
}

/** The latest version per key of recommendationRecords(): what the recommendation table ends with. */
export function latestRecommendations(): Recommendation[] {
  const latest = new Map<string, Recommendation>();
  for (const r of recommendationRecords()) {
    const stored = latest.get(r.key);
    if (!stored || stored.generatedAt <= r.generatedAt) latest.set(r.key, r);
  }
  return [...latest.values()];
}
