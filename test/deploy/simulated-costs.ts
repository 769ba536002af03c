import type { CostAnomaly, KubeObject, NodeCost, PodCost, PriceUpdate, UsageSample } from '../../services/codec/records.generated.js';
import { AnomalyDetector } from '../../services/processor/anomaly-detector.js';
import { DEFAULT_ANOMALY_OPTIONS } from '../../services/processor/anomaly-options.js';
import { ClusterState } from '../../services/processor/cluster-state.js';
import { PriceHistory } from '../../services/processor/price-history.js';
import { WindowAssembler } from '../../services/processor/window-assembler.js';
import { priceWindow } from '../../services/processor/window-pricer.js';
import { createSimulation, type SimulationOptions } from '../../services/simulator/simulation.js';

/** What `kcost simulate` into `kcost process` would have published, in event-time order. */
export interface SimulatedCosts {
  readonly pods: PodCost[];
  readonly nodes: NodeCost[];
  readonly anomalies: CostAnomaly[];
}

const LATENESS_MILLIS = 60_000;

/**
 * Runs the simulator's event stream through the processor's pure core
 * in-process (window assembly, pricing, hourly anomaly scoring): the code
 * `kcost process` runs between its Kafka edges, without the broker, so a
 * test can have days of realistic costs in seconds.
 */
export function simulatedCosts(options: SimulationOptions): SimulatedCosts {
  const simulation = createSimulation(options);
  const state = new ClusterState();
  const prices = new PriceHistory();
  const assembler = new WindowAssembler(LATENESS_MILLIS);
  const detector = new AnomalyDetector(DEFAULT_ANOMALY_OPTIONS);
  const result: SimulatedCosts = { pods: [], nodes: [], anomalies: [] };
  let offset = 0;
  const price = (windows: ReturnType<WindowAssembler['closeReady']>) => {
    for (const window of windows) {
      const priced = priceWindow(window, state, prices);
      result.pods.push(...priced.podCosts);
      result.nodes.push(...priced.nodeCosts);
      for (const cost of priced.podCosts) detector.add(cost);
    }
  };
  for (const event of simulation.events()) {
    if (event.schema === 'KubeObject') state.apply(event.value as KubeObject);
    else if (event.schema === 'PriceUpdate') prices.add(event.value as PriceUpdate);
    else if (event.schema === 'UsageSample') {
      assembler.add(event.value as UsageSample, 0, String(offset++));
      price(assembler.closeReady());
      result.anomalies.push(...detector.completeThrough(assembler.watermark - LATENESS_MILLIS - 1));
    }
  }
  return result;
}

/**
 * The same run as seen at `nowMillis`: the windows that had closed and the
 * anomalies that had been raised by then.
 */
export function asOf(costs: SimulatedCosts, nowMillis: number): SimulatedCosts {
  const closed = (r: { windowStart: number; windowSeconds: number }) => r.windowStart + r.windowSeconds * 1000 <= nowMillis;
  return { pods: costs.pods.filter(closed), nodes: costs.nodes.filter(closed), anomalies: costs.anomalies.filter((a) => a.detectedAt <= nowMillis) };
}
