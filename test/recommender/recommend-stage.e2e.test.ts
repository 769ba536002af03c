import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../services/codec/records.generated.js';
import { recommendationKey, type Recommendation } from '../../services/recommender/recommendation.js';
import type { RecommenderService } from '../../services/recommender/recommender-service.js';
import { waitFor } from '../support/kafka.js';
import { GIB, HOUR, PODS, Pipeline, Reader, T0, inOrder, numbersIn, podState, publishBadInput, uniqueGroup, waitForMembers, windows } from './harness.js';

// kcost recommend over a real broker: six hours of priced windows of three
// workload containers (two Deployments and a bare pod without requests),
// fed in two halves. Each container gets a recommendation per event-time
// hour once every costs partition has passed it, so a run that restarts
// between the halves, one instance over everything and two instances in one
// group must publish the very same records.

const KEYS = [
  recommendationKey({ cluster: 'prod', namespace: 'shop', workloadKind: 'Deployment', workloadName: 'api', container: 'server' }),
  recommendationKey({ cluster: 'prod', namespace: 'shop', workloadKind: 'Deployment', workloadName: 'web', container: 'app' }),
  recommendationKey({ cluster: 'prod', namespace: 'shop', workloadKind: 'Pod', workloadName: 'batch-0', container: 'job' }),
];
const WEB = KEYS[1] as string;
const BATCH = KEYS[2] as string;
// Windows 0–17 end at 02:50: boundaries 01:00 and 02:00 have every lane 5 min past them. Windows 18–35 bring 03:00–05:00.
const FIRST_HALF = 18;
const ALL = 36;

const pipeline = new Pipeline();
const readers: Array<Reader<unknown>> = [];
const running: RecommenderService[] = [];
let restartRun: Reader<Recommendation>;
let restartDeadLetters: Reader<DeadLetter>;
let reference: Reader<Recommendation>;

async function open<N extends 'Recommendation' | 'DeadLetter'>(topic: string, schema: N) {
  const reader = await Reader.open(pipeline, topic, schema);
  readers.push(reader);
  return reader;
}

async function stop(service: RecommenderService): Promise<void> {
  await service.stop();
  running.splice(running.indexOf(service), 1);
}

async function start(...args: Parameters<Pipeline['start']>): Promise<RecommenderService> {
  const service = await pipeline.start(...args);
  running.push(service);
  return service;
}

const advice = (records: ReadonlyArray<{ value: Recommendation | null }>) => records.map((r) => r.value).filter((v): v is Recommendation => v !== null);

beforeAll(async () => {
  await pipeline.open();
  await pipeline.publishKube(PODS.map((spec) => podState(spec)));
  await pipeline.publishCosts(windows(0, FIRST_HALF));
  await publishBadInput(pipeline);
}, 60_000);

afterAll(async () => {
  for (const service of [...running]) await service.stop();
  for (const reader of readers) await reader.close();
  await pipeline.close();
});

describe('kcost recommend over a real broker', () => {
  it('keeps its models over a restart mid-stream: the same recommendations before and after', async () => {
    const config = pipeline.config({ groupId: uniqueGroup('recommend-restart') });
    restartRun = await open(config.topics.recommendations, 'Recommendation');
    restartDeadLetters = await open(config.topics.deadLetter, 'DeadLetter');
    const first = await start(config, 'a');
    await waitFor(() => restartRun.records.length >= 2 * KEYS.length, 90_000, 'the first two hours of recommendations');
    await stop(first);
    const beforeRestart = advice(restartRun.records);
    expect(beforeRestart.map((r) => r.generatedAt).sort()).toEqual(KEYS.flatMap(() => [T0 + HOUR, T0 + 2 * HOUR]).sort());

    await pipeline.publishCosts(windows(FIRST_HALF, ALL));
    await start(config, 'a');
    await waitFor(() => restartRun.records.length >= 5 * KEYS.length, 90_000, 'five hours of recommendations');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const all = advice(restartRun.records);
    expect(all).toHaveLength(5 * KEYS.length);
    expect([...new Set(all.map((r) => r.key))].sort()).toEqual([...KEYS].sort());
    for (const key of KEYS) expect(all.filter((r) => r.key === key).map((r) => r.generatedAt)).toEqual([1, 2, 3, 4, 5].map((h) => T0 + h * HOUR));

    // One instance over the whole stream, never restarted, publishes the very same records.
    const outputs = await pipeline.freshOutputs();
    reference = await open(outputs.recommendations, 'Recommendation');
    await start(pipeline.config({ groupId: uniqueGroup('recommend-reference'), ...outputs }), 'r');
    await waitFor(() => reference.records.length >= 5 * KEYS.length, 90_000, 'the reference run');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(inOrder(reference.records)).toEqual(inOrder(restartRun.records));
    // Hour 2, published before the restart, rests on the same history as without one; hour 3 on history carried over it.
    const web = advice(restartRun.records).filter((r) => r.key === WEB);
    expect(web[2]?.workloadResources?.evidence.sampleCount).toBe(3 * 18);
  }, 300_000);

  it('publishes the same recommendations from two instances in one group as from one', async () => {
    // Topics of their own, so that both instances are in every group before the first record flows.
    const second = new Pipeline();
    await second.open();
    try {
      await second.publishKube(PODS.map((spec) => podState(spec)));
      const twice = await open(second.topics.recommendations, 'Recommendation');
      const config = second.config({ groupId: uniqueGroup('recommend-two') });
      const registries = [new Registry(), new Registry()];
      const instances = await Promise.all(registries.map((registry, i) => second.start(config, `i${i}`, registry)));
      running.push(...instances);
      await waitForMembers(second, config.groupId, 2);
      await second.publishCosts(windows(0, FIRST_HALF));
      await publishBadInput(second);
      await second.publishCosts(windows(FIRST_HALF, ALL));
      await waitFor(() => twice.records.length >= 5 * KEYS.length, 120_000, 'the two-instance run');
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(inOrder(twice.records)).toEqual(inOrder(reference.records));
      // Both did a share of the work.
      for (const registry of registries) {
        const published = await registry.getSingleMetric('kcost_recommend_recommendations_total')?.get();
        expect(published?.values.reduce((sum, v) => sum + v.value, 0)).toBeGreaterThan(0);
      }
      for (const instance of instances) await stop(instance);
    } finally {
      await second.close();
    }
  }, 300_000);

  it('dead-letters bad input with a reason code and never publishes a NaN or a negative figure', async () => {
    await waitFor(() => restartDeadLetters.records.length >= 6, 30_000, 'the dead letters');
    const letters = restartDeadLetters.records.map((r) => r.value as DeadLetter);
    expect(letters.map((l) => l.reasonCode).sort()).toEqual(['OUT_OF_BOUNDS', 'OUT_OF_BOUNDS', 'OUT_OF_BOUNDS', 'OUT_OF_BOUNDS', 'UNDECODABLE', 'UNKNOWN_POD'].sort());
    // Reported where the record was published, even when the recommend stage found it bad after routing.
    expect(letters.every((l) => l.sourceTopic === pipeline.topics.costs && l.service === 'recommend')).toBe(true);

    const batch = advice(reference.records).filter((r) => r.key === BATCH);
    expect(batch.length).toBe(5);
    for (const rec of batch) {
      expect(rec.workloadResources?.cpu.reasons).toContain('NO_REQUESTS');
      expect(rec.workloadResources?.memory.reasons).toContain('NO_REQUESTS');
      expect(rec.workloadResources?.cpu.recommendedRequest).toBeGreaterThan(0);
    }
    for (const rec of advice([...reference.records, ...restartRun.records])) {
      for (const [path, value] of numbersIn(rec)) {
        expect(Number.isFinite(value), path).toBe(true);
        // A saving is negative where more is needed; the strategy's parameters (an exponent of -2) are settings, not advice.
        if (path !== 'saving.monthlySavingsUsd' && !path.startsWith('strategy.')) expect(value, path).toBeGreaterThanOrEqual(0);
      }
    }
  }, 60_000);

  it('raises the memory recommendation at once when pod state reports an OOM kill, and publishes nothing when that state is replayed', async () => {
    const webPod = PODS[1] as (typeof PODS)[number];
    const lastBefore = advice(reference.records).filter((r) => r.key === WEB).at(-1) as Recommendation;
    const killedAt = T0 + 5 * HOUR + 20 * 60_000;
    const killed = podState(webPod, { containers: [{ ...(podState(webPod).pod?.containers[0] as NonNullable<ReturnType<typeof podState>['pod']>['containers'][number]), restartCount: 1, lastTerminationReason: 'OOMKilled', lastTerminatedAt: killedAt }] }, killedAt + 1_000);
    const count = reference.records.length;
    await pipeline.publishKube([killed]);
    await waitFor(() => reference.records.length > count, 30_000, 'the recommendation after the OOM kill');
    const after = reference.records.at(-1)?.value as Recommendation;
    expect(after.key).toBe(WEB);
    expect(after.generatedAt).toBe(killedAt);
    expect(after.reasons).toContain('OOM_KILLED');
    expect(after.workloadResources?.evidence.oomKills).toBe(1);
    expect(after.workloadResources?.evidence.restartCount).toBe(1);
    // VPA's bump on the 2 GiB request: at least 2.4 GiB, where the peaks alone asked for less than 1 GiB.
    expect(lastBefore.workloadResources?.memory.recommendedRequest ?? 0).toBeLessThan(GIB);
    expect(after.workloadResources?.memory.recommendedRequest ?? 0).toBeGreaterThan(2.4 * GIB);

    // The same pod state again (a collector resync, a replay of the kube topic): the kill is known, nothing is published.
    const settled = reference.records.length;
    await pipeline.publishKube([{ ...killed, observedAt: killed.observedAt + 60_000 }]);
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    expect(reference.records.length).toBe(settled);

    // A new group replays both topics from the start, the kill among the pod states: whichever of the kill and the
    // windows it reads first, the latest advice for the container (what compaction keeps) carries the kill.
    const outputs = await pipeline.freshOutputs();
    const replay = await open(outputs.recommendations, 'Recommendation');
    await start(pipeline.config({ groupId: uniqueGroup('recommend-replay'), ...outputs }), 'p');
    await waitFor(() => replay.records.length >= 5 * KEYS.length + 1, 90_000, 'the replay');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(replay.records).toHaveLength(5 * KEYS.length + 1);
    const latest = advice(replay.records).filter((r) => r.key === WEB).at(-1);
    expect(latest?.reasons).toContain('OOM_KILLED');
    expect(latest?.workloadResources?.memory.recommendedRequest ?? 0).toBeGreaterThan(2.4 * GIB);
  }, 180_000);
});
