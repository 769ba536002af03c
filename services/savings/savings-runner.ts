import type { Producer } from 'kafkajs';
import type pg from 'pg';
import type { Codec } from '../codec/codec.js';
import type { Recommendation } from '../codec/records.generated.js';
import { chunkTopicMessages } from '../kafka/chunk-messages.js';
import type { Logger } from '../log/logger.js';
import { adviseCluster, retiredKeys, type ClusterSavingsOptions } from './cluster-savings.js';
import type { KubeInventory } from './kube-inventory.js';
import { HOUR_MILLIS, type ClusterSavingsInput } from './savings-inputs.js';
import { adviceHour, advisedRequests, catalogAt, nodesOfHour, oldestStoredSavingsAt, onDemandSpend, podsOfHour, spotPriceHistory, storedClusters, storedSavingsKeys } from './savings-reader.js';

export interface SavingsRunnerDeps {
  readonly db: pg.Pool;
  readonly inventory: KubeInventory;
  readonly producer: Producer;
  readonly codec: Codec;
  readonly topic: string;
  readonly logger: Logger;
  readonly options: ClusterSavingsOptions;
  readonly commitmentLookbackHours: number;
  readonly spotLookbackMillis: number;
}

export interface ClusterRun {
  readonly cluster: string;
  readonly hourStart: number | null;
  readonly published: number;
  readonly retired: number;
  readonly monthlySavingsUsd: number;
}

/**
 * One run of `kcost savings`: for every cluster with stored costs, read the
 * newest whole hour and its history (savings-reader.ts) and the Kubernetes
 * state (the inventory), work out the advice (cluster-savings.ts) and publish
 * it with a tombstone for every stored key it no longer gives. The advice is
 * a function of what is stored, and generatedAt is the end of its hour, so
 * a second run over the same data publishes the same records.
 */
export async function runSavings(deps: SavingsRunnerDeps): Promise<ClusterRun[]> {
  const runs: ClusterRun[] = [];
  for (const cluster of await storedClusters(deps.db)) {
    const hourStart = await adviceHour(deps.db, cluster);
    // Advice moves once per stored hour: when every stored record already rests on this hour, there is nothing new to say.
    if (hourStart === null || (await oldestStoredSavingsAt(deps.db, cluster)) === hourStart + HOUR_MILLIS) {
      runs.push({ cluster, hourStart, published: 0, retired: 0, monthlySavingsUsd: 0 });
      continue;
    }
    const input = await readInput(deps, cluster, hourStart);
    const advice = adviseCluster(input, deps.options);
    const retired = retiredKeys(await storedSavingsKeys(deps.db, cluster), advice);
    await publish(deps, advice, retired);
    const monthlySavingsUsd = advice.reduce((a, r) => a + Math.max(0, r.saving.monthlySavingsUsd), 0);
    deps.logger.info({ cluster, hour: new Date(input.hourStart).toISOString(), published: advice.length, retired: retired.length }, 'cluster savings advice published');
    runs.push({ cluster, hourStart: input.hourStart, published: advice.length, retired: retired.length, monthlySavingsUsd });
  }
  return runs;
}

async function readInput(deps: SavingsRunnerDeps, cluster: string, hourStart: number): Promise<ClusterSavingsInput> {
  const hourEnd = hourStart + HOUR_MILLIS;
  const labels = deps.inventory.nodeLabels(cluster);
  const nodes = (await nodesOfHour(deps.db, cluster, hourStart)).map((n) => ({ ...n, labels: labels.get(n.name) ?? {} }));
  return {
    cluster,
    hourStart,
    nodes,
    pods: await podsOfHour(deps.db, cluster, hourStart),
    workloads: deps.inventory.workloads(cluster),
    budgets: deps.inventory.budgets(cluster),
    localVolumes: deps.inventory.localVolumes(cluster),
    catalog: await catalogAt(deps.db, hourEnd),
    spotPrices: await spotPriceHistory(deps.db, hourEnd - deps.spotLookbackMillis, hourEnd),
    spotLookbackHours: deps.spotLookbackMillis / HOUR_MILLIS,
    advisedRequests: await advisedRequests(deps.db, cluster),
    onDemandSpend: await onDemandSpend(deps.db, cluster, hourStart, deps.commitmentLookbackHours),
  };
}

/** Advice and tombstones in one idempotent batch per request; keys partition as the recommender's do (murmur2, like the Java client). */
async function publish(deps: SavingsRunnerDeps, advice: readonly Recommendation[], retired: readonly string[]): Promise<void> {
  const messages = [
    ...(await Promise.all(advice.map(async (r) => ({ key: r.key, value: await deps.codec.encode('Recommendation', r) })))),
    ...retired.map((key) => ({ key, value: null })),
  ];
  if (messages.length === 0) return;
  for (const chunk of chunkTopicMessages([{ topic: deps.topic, messages }])) await deps.producer.sendBatch({ topicMessages: chunk, acks: -1 });
}
