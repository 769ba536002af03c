import { Counter, Gauge, type Registry } from 'prom-client';

/** Metrics of `kcost recommend`, on its /metrics. */
export interface RecommendMetrics {
  readonly samples: Counter<'outcome'>;
  readonly terminations: Counter<'outcome'>;
  readonly recommendations: Counter<'cause'>;
  readonly deadLetters: Counter<'reason'>;
  readonly containers: Gauge;
}

export function createRecommendMetrics(registry: Registry): RecommendMetrics {
  const registers = [registry];
  return {
    samples: new Counter({
      name: 'kcost_recommend_samples_total',
      help: 'Priced windows read by the recommend stage, by outcome: accepted, held (until its boundary is published), duplicate, too-old, gap (measured nothing), invalid (dead-lettered).',
      labelNames: ['outcome'],
      registers,
    }),
    terminations: new Counter({ name: 'kcost_recommend_terminations_total', help: 'OOM kills read from pod state, by outcome: accepted (the advice is published at once), duplicate, too-old, invalid.', labelNames: ['outcome'], registers }),
    recommendations: new Counter({ name: 'kcost_recommend_recommendations_total', help: 'Records published on the recommendations topic, by cause: boundary (event-time interval crossed), oom (a new OOM kill), expired (a tombstone), orphaned-volume, daemonset-only-node and idle-workload (advice on a claim, node or workload), and each with -retired (its tombstone).', labelNames: ['cause'], registers }),
    deadLetters: new Counter({ name: 'kcost_recommend_dead_letters_total', help: 'Records the recommender sent to the dead-letter topic, by reason code (OUT_OF_BOUNDS, UNKNOWN_POD, undecodable input).', labelNames: ['reason'], registers }),
    containers: new Gauge({ name: 'kcost_recommend_containers', help: 'Workload containers modelled by this instance.', registers }),
  };
}
