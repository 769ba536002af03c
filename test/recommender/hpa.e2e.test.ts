import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../services/codec/records.generated.js';
import { autoscalerObject, workloadObject } from '../../services/processor/record-builders.js';
import { recommendationKey, type Recommendation } from '../../services/recommender/recommendation.js';
import type { RecommenderService } from '../../services/recommender/recommender-service.js';
import { compileStrategy } from '../../services/recommender/strategy.js';
import { waitFor } from '../support/kafka.js';
import { HOUR, PODS, Pipeline, Reader, T0, podState, uniqueGroup, windows } from './harness.js';

// kcost recommend over a real broker, with the Deployments and the
// autoscaler kcost.kube.v1 carries beside the pods: web's three pods run
// under an HPA on 60 % CPU that reports 5 current replicas, api's two pods
// under a Deployment asking for 4. The kcost strategy (retarget), with its
// minimum history cut to half an hour, must size web's request and HPA
// target together and price the HPA's replicas, and price api's desired
// replicas, not the pods that happened to report.

const WEB = recommendationKey({ cluster: 'prod', namespace: 'shop', workloadKind: 'Deployment', workloadName: 'web', container: 'app' });
const API = recommendationKey({ cluster: 'prod', namespace: 'shop', workloadKind: 'Deployment', workloadName: 'api', container: 'server' });
const CREATED = T0 - HOUR;

const kube: KubeObject[] = [
  ...PODS.map((spec) => podState(spec)),
  { ...autoscalerObject({ name: 'web', namespace: 'shop', target: { kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 10, replicas: 5, cpuTargetPercent: 60, observedAt: CREATED }), createdAt: CREATED },
  { ...workloadObject({ name: 'web', namespace: 'shop', desiredReplicas: 5, observedAt: CREATED }), createdAt: CREATED },
  { ...workloadObject({ name: 'api', namespace: 'shop', desiredReplicas: 4, observedAt: CREATED }), createdAt: CREATED },
];

const pipeline = new Pipeline();
let reader: Reader<Recommendation>;
let service: RecommenderService | undefined;

beforeAll(async () => {
  await pipeline.open();
  await pipeline.publishKube(kube);
  // Windows 0–17 end at 02:50: the 01:00 and 02:00 boundaries are due.
  await pipeline.publishCosts(windows(0, 18));
  reader = await Reader.open(pipeline, pipeline.topics.recommendations, 'Recommendation');
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await reader?.close();
  await pipeline.close();
});

describe('kcost recommend with autoscalers and workloads on the kube topic', () => {
  it('retargets the HPA with the request, and prices the replicas the HPA and the Deployment report', async () => {
    const config = pipeline.config({ groupId: uniqueGroup('recommend-hpa'), strategy: 'kcost' });
    service = await pipeline.start({ ...config, model: { ...config.model, strategy: compileStrategy('kcost', { minHistoryHours: 0.5, minSamples: 6 }) } });
    const at = (key: string) => reader.records.map((r) => r.value).find((v): v is Recommendation => v?.key === key && v.generatedAt === T0 + 2 * HOUR);
    await waitFor(() => at(WEB) !== undefined && at(API) !== undefined, 90_000, 'the 02:00 recommendations of web and api');

    const web = (at(WEB) as Recommendation).workloadResources;
    expect(at(WEB)?.reasons).toEqual(expect.arrayContaining(['HPA_MANAGED', 'OVER_PROVISIONED']));
    expect(web?.cpu.action).toBe('CHANGE');
    // web uses at most 0.375 of its 1-core request: the target goes to kcost's cap of 80 %, and the request to what
    // keeps target × request at today's 60 % × 1 core, so the HPA runs as many replicas for the same load.
    expect(web?.hpa).toEqual([expect.objectContaining({ resource: 'cpu', currentTargetUtilizationPercent: 60, recommendedTargetUtilizationPercent: 80 })]);
    expect(web?.cpu.recommendedRequest).toBe(0.75);
    // Three pods reported; the HPA's 5 current replicas are priced, before and after.
    expect(web?.pricing).toMatchObject({ replicas: 5, replicasAfter: 5 });
    // 5 × (1 core × 0.04 $ + 2 GiB × 0.005 $) × 730 h.
    expect(at(WEB)?.saving.currentMonthlyUsd).toBeCloseTo(182.5, 6);

    const api = (at(API) as Recommendation).workloadResources;
    expect(api?.hpa).toEqual([]);
    expect(api?.cpu.reasons).not.toContain('HPA_MANAGED');
    // Two pods reported; no autoscaler, so the Deployment's 4 desired replicas are priced.
    expect(api?.pricing.replicas).toBe(4);
  }, 150_000);
});
