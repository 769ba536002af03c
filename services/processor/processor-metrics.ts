import { Counter, Gauge, type Registry } from 'prom-client';

/** What `kcost process` exposes on /metrics besides the consumer counters. */
export interface ProcessorMetrics {
  readonly windowsPriced: Counter;
  readonly podCosts: Counter;
  readonly nodeCosts: Counter;
  readonly flaggedCosts: Counter<'flag'>;
  readonly anomalies: Counter<'scope' | 'severity'>;
  readonly lateSamples: Counter;
  readonly forwardedSamples: Counter;
  readonly deadLetters: Counter<'reason'>;
  readonly pendingSamples: Gauge;
  readonly watermark: Gauge;
}

export function createProcessorMetrics(registry: Registry): ProcessorMetrics {
  const registers = [registry];
  return {
    windowsPriced: new Counter({ name: 'kcost_process_windows_priced_total', help: 'Event-time windows closed and priced.', registers }),
    podCosts: new Counter({ name: 'kcost_process_pod_costs_total', help: 'PodCost records published.', registers }),
    nodeCosts: new Counter({ name: 'kcost_process_node_costs_total', help: 'NodeCost records published.', registers }),
    flaggedCosts: new Counter({ name: 'kcost_process_flagged_costs_total', help: 'PodCost records carrying a caveat, by flag (UNKNOWN_POD, UNKNOWN_NODE, SCALED, GAP).', labelNames: ['flag'], registers }),
    anomalies: new Counter({ name: 'kcost_process_anomalies_total', help: 'Cost anomalies published, by scope and severity.', labelNames: ['scope', 'severity'], registers }),
    forwardedSamples: new Counter({ name: 'kcost_process_forwarded_samples_total', help: "Usage samples routed before their pod's node was known, sent on by the pricing stage to their node's by-node partition.", registers }),
    lateSamples: new Counter({ name: 'kcost_process_late_samples_total', help: 'Usage samples that arrived after their window closed (sent to the dead-letter topic).', registers }),
    deadLetters: new Counter({ name: 'kcost_process_dead_letters_total', help: 'Records the processor sent to the dead-letter topic (late or undecodable usage samples, unreadable internal records), by reason code.', labelNames: ['reason'], registers }),
    pendingSamples: new Gauge({ name: 'kcost_process_pending_samples', help: 'Usage samples waiting in open windows.', registers }),
    watermark: new Gauge({ name: 'kcost_process_watermark_seconds', help: 'Event-time watermark: the latest window end seen, in Unix seconds.', registers }),
  };
}
