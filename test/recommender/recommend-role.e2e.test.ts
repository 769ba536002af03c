import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKcost, startKcost, type KcostProcess } from '../../bench/kcost-process.js';
import type { Recommendation } from '../../services/recommender/recommendation.js';
import { testBrokers, waitFor } from '../support/kafka.js';
import { freePort, isReady } from '../support/ports.js';
import { HOUR, PODS, Pipeline, Reader, T0, podState, uniqueGroup, windows } from './harness.js';

// `kcost recommend` as an operator runs it, from the built bin/kcost.js: its
// flags and their environment variables in --help, a bad --strategy refused
// by name, /healthz, /readyz and /metrics, the strategy flag reaching the
// records, and a clean exit on SIGTERM.

const pipeline = new Pipeline();
let reader: Reader<Recommendation>;
const started: KcostProcess[] = [];

beforeAll(async () => {
  await pipeline.open();
  await pipeline.publishKube(PODS.map((spec) => podState(spec)));
  // Windows to 01:50: every container's 01:00 boundary is due.
  await pipeline.publishCosts(windows(0, 12));
  reader = await Reader.open(pipeline, pipeline.topics.recommendations, 'Recommendation');
}, 60_000);

afterAll(async () => {
  for (const p of started) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await reader?.close();
  await pipeline.close();
});

describe('kcost recommend', () => {
  it('lists its flags with their environment variables, and refuses an unknown strategy by name', async () => {
    const help = await runKcost(['recommend', '--help']);
    expect(help.code).toBe(0);
    const text = help.output.join('\n');
    for (const flag of ['--strategy', 'KCOST_STRATEGY', '--publish-interval', '--publish-grace', '--rate-window', '--group-id', '--costs-topic', '--recommendations-topic']) expect(text).toContain(flag);
    const bad = await runKcost(['recommend', '--strategy', 'guesswork', '--brokers', testBrokers().join(',')]);
    expect(bad.code).not.toBe(0);
    expect(bad.output.join('\n')).toMatch(/strategy.*guesswork|guesswork.*strategy/i);
  }, 60_000);

  it('serves its health and metrics, publishes with the strategy it was given, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const { topics } = pipeline;
    const recommend = startKcost([
      'recommend', '--brokers', testBrokers().join(','), '--health-port', String(port), '--group-id', uniqueGroup('recommend-role'), '--strategy', 'krr-simple',
      '--kube-topic', topics.kube, '--prices-topic', topics.prices, '--costs-topic', topics.costs, '--recommendations-topic', topics.recommendations, '--dead-letter-topic', topics.deadLetter, '--idle-source-after', '1s',
    ]);
    started.push(recommend);
    await waitFor(() => isReady(port), 90_000, 'the recommender to be ready');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await waitFor(() => reader.records.length >= 3, 60_000, 'a recommendation per container');
    const records = reader.records.map((r) => r.value as Recommendation);
    expect(records.every((r) => r.strategy.name === 'krr-simple' && r.generatedAt === T0 + HOUR)).toBe(true);
    // KRR's simple strategy wants 100 points: an hour of ten-minute windows is not enough, and the record says so.
    expect(records.every((r) => r.reasons.includes('INSUFFICIENT_HISTORY'))).toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/kcost_recommend_recommendations_total\{cause="boundary"\} 3/);

    const before = Date.now();
    recommend.child.kill('SIGTERM');
    expect(await recommend.exited).toBe(0);
    expect(Date.now() - before).toBeLessThan(30_000);
  }, 180_000);
});
