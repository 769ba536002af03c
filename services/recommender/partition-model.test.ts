import { describe, expect, it } from 'vitest';
import type { CostSample } from './cost-samples.js';
import { decodeKeySnapshot, decodeLanes, encodeKeySnapshot, encodeLanes } from './internal-records.js';
import { PartitionModel, type KeySnapshot, type ModelOptions, type StateLookup } from './partition-model.js';
import { recommendationKey, type Recommendation, type WorkloadContainerRef } from './recommendation.js';
import { compileStrategy } from './strategy.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const GIB = 1024 ** 3;
const T0 = Date.UTC(2026, 5, 1);
const target: WorkloadContainerRef = { cluster: 'prod', namespace: 'shop', workloadKind: 'Deployment', workloadName: 'web', container: 'app' };
const KEY = recommendationKey(target);
const options: ModelOptions = { strategy: compileStrategy('vpa'), publishIntervalMillis: HOUR, graceMillis: 5 * MINUTE, rateWindowMillis: 24 * HOUR, lanes: 2 };
const lookup: StateLookup = (t) => ({ target: t, replicas: 2, containersPerPod: 1, cpuRequestCores: 1, cpuLimitCores: null, memoryRequestBytes: GIB, memoryLimitBytes: GIB, restartCount: 0, hpa: null });

function sample(pod: string, windowStart: number, cpuCores: number, memoryGib: number): CostSample {
  return {
    observation: { podUid: pod, windowStart, windowSeconds: 60, cpuCores, memoryPeakBytes: memoryGib * GIB, cpuRequestCores: 1 },
    figures: { hours: 1 / 60, cpuCostUsd: 0.04 / 60, cpuAllocatedCores: 1, memoryCostUsd: 0.005 / 60, memoryAllocatedBytes: GIB, priceSource: 'aws-pricing', podUid: pod, cpuRequestCores: 1, memoryRequestBytes: GIB },
  };
}

/** Two pods, one sample a minute each over `hours` hours, usage varying by minute. */
function stream(hours: number): CostSample[] {
  const out: CostSample[] = [];
  for (let m = 0; m < hours * 60; m++) for (const pod of ['a', 'b']) out.push(sample(pod, T0 + m * MINUTE, 0.2 + ((m * 7) % 13) / 100 + (pod === 'a' ? 0 : 0.05), 0.4 + (m % 11) / 100));
  return out;
}

/** Feeds samples, ticking each sample's window for its lane (pod a on lane 0, b on lane 1), and collects what is published. */
function run(samples: readonly CostSample[], model = new PartitionModel(options)): Recommendation[] {
  const published: Recommendation[] = [];
  for (const s of samples) {
    model.addCost(target, s);
    model.tick(s.observation.podUid === 'a' ? 0 : 1, s.observation.windowStart);
    for (const p of model.drain(lookup).publications) if (p.recommendation) published.push(p.recommendation);
  }
  return published;
}

describe('PartitionModel', () => {
  it('publishes once per event-time hour, once every lane is past the hour plus the grace', () => {
    const published = run(stream(3));
    expect(published.map((r) => r.generatedAt)).toEqual([T0 + HOUR, T0 + 2 * HOUR]);
    expect(published.every((r) => r.key === KEY)).toBe(true);
    // The last hour waits for a lane to pass 03:05.
  });

  it('publishes the same records whatever order the lanes interleave in (one lane hours ahead of the other)', () => {
    const ordered = run(stream(4));
    const lanes = stream(4);
    const laneAFirst = [...lanes.filter((s) => s.observation.podUid === 'a'), ...lanes.filter((s) => s.observation.podUid === 'b')];
    const reordered = run(laneAFirst);
    expect(reordered).toEqual(ordered);
    expect(ordered.length).toBe(3);
  });

  it('rests the advice at boundary B on exactly the samples before B', () => {
    const [first] = run(stream(2));
    expect(first?.workloadResources?.evidence.sampleCount).toBe(120);
    expect(first?.workloadResources?.evidence.lastSampleAt).toBe(T0 + HOUR - MINUTE);
  });

  it('publishes at once after a new OOM kill, with the memory advice raised, and only once per kill', () => {
    const model = new PartitionModel(options);
    run(stream(2), model);
    const before = model.snapshotOf(KEY);
    expect(before).not.toBeNull();
    const kill = { podUid: 'a', reason: 'OOMKilled', finishedAt: T0 + HOUR + 30 * MINUTE, memoryRequestBytes: GIB, memoryLimitBytes: GIB };
    expect(model.addTermination(target, kill)).toBe('accepted');
    const { publications } = model.drain(lookup);
    expect(publications.map((p) => p.cause)).toEqual(['oom']);
    const memory = publications[0]?.recommendation?.workloadResources?.memory;
    expect(memory?.reasons).toContain('OOM_KILLED');
    // VPA's bump on the request: max(1 GiB × 1.2, 1 GiB + 100 MiB) = 1.2 GiB, + 15 % margin.
    expect(memory?.recommendedRequest).toBeGreaterThan(1.2 * GIB);
    expect(model.addTermination(target, kill)).toBe('duplicate');
    expect(model.drain(lookup).publications).toEqual([]);
  });

  it('ignores terminations other than OOM kills', () => {
    const model = new PartitionModel(options);
    expect(model.addTermination(target, { podUid: 'a', reason: 'Error', finishedAt: T0, memoryRequestBytes: GIB, memoryLimitBytes: null })).toBe('ignored');
    expect(model.drain(lookup).publications).toEqual([]);
  });

  it('restored from its snapshots, goes on publishing exactly what it would have', () => {
    const all = stream(5);
    const half = all.filter((s) => s.observation.windowStart < T0 + 2.5 * HOUR);
    const rest = all.slice(half.length);
    const straight = run(all);
    const model = new PartitionModel(options);
    const before = run(half, model);
    const { changed } = model.drain(lookup);
    const restored = new PartitionModel(options);
    for (const key of [KEY]) restored.restore(key, changed.get(key) ?? model.snapshotOf(key));
    restored.restoreLanes(model.lanesSnapshot());
    // Through JSON, as the changelog carries it.
    const viaJson = new PartitionModel(options);
    viaJson.restore(KEY, decodeKeySnapshot(encodeKeySnapshot(restored.snapshotOf(KEY) as KeySnapshot)));
    viaJson.restoreLanes(decodeLanes(encodeLanes(restored.lanesSnapshot())));
    expect([...before, ...run(rest, viaJson)]).toEqual(straight);
  });

  it('holds back a sample past the open boundary and counts a late one from the next boundary', () => {
    const model = new PartitionModel(options);
    expect(model.addCost(target, sample('a', T0, 0.2, 0.4))).toBe('accepted');
    expect(model.addCost(target, sample('a', T0 + HOUR, 0.2, 0.4))).toBe('held');
    model.tick(0, T0 + HOUR + 10 * MINUTE);
    model.idle(1);
    expect(model.drain(lookup).publications.map((p) => p.recommendation?.generatedAt)).toEqual([T0 + HOUR]);
    // 00:30 arrives after 01:00 was published: it joins the history for 02:00.
    expect(model.addCost(target, sample('b', T0 + 30 * MINUTE, 0.2, 0.4))).toBe('accepted');
    model.tick(0, T0 + 2 * HOUR + 10 * MINUTE);
    const [next] = model.drain(lookup).publications;
    expect(next?.recommendation?.generatedAt).toBe(T0 + 2 * HOUR);
    expect(next?.recommendation?.workloadResources?.evidence.sampleCount).toBe(3);
  });

  it('forgets a container with no sample in the strategy window, with a tombstone', () => {
    const model = new PartitionModel(options);
    run(stream(2), model);
    model.tick(0, T0 + 30 * 24 * HOUR);
    model.tick(1, T0 + 30 * 24 * HOUR);
    const { publications, changed } = model.drain(lookup);
    expect(publications.at(-1)).toEqual({ key: KEY, recommendation: null, cause: 'expired' });
    expect(changed.get(KEY)).toBeNull();
    expect(model.size).toBe(0);
  });

  it('prices with the rates the container paid, and without pod state goes by its samples', () => {
    const [rec] = run(stream(2), new PartitionModel(options));
    expect(rec?.workloadResources?.pricing.cpuCoreHourUsd).toBeCloseTo(0.04, 10);
    expect(rec?.workloadResources?.pricing.memoryGibHourUsd).toBeCloseTo(0.005, 10);
    expect(rec?.saving.priceSources).toEqual(['cpu:aws-pricing', 'memory:aws-pricing']);
    const model = new PartitionModel(options);
    const published: Recommendation[] = [];
    for (const s of stream(2)) {
      model.addCost(target, s);
      model.tick(s.observation.podUid === 'a' ? 0 : 1, s.observation.windowStart);
      for (const p of model.drain(() => null).publications) if (p.recommendation) published.push(p.recommendation);
    }
    expect(published[0]?.workloadResources?.pricing.replicas).toBe(2);
    expect(published[0]?.workloadResources?.cpu.currentRequest).toBe(1);
    expect(published[0]?.workloadResources?.memory.currentLimit).toBeNull();
  });
});
