import { Counter, type Registry } from 'prom-client';
import type { UsageSample } from '../../codec/records.generated.js';
import { messageOf } from '../../errors/kcost-error.js';
import { usageRecordsOf } from '../../kafka/node-usage.js';
import type { Logger } from '../../log/logger.js';
import type { RecordPublisher } from '../kube/kube-collector.js';
import { nextScrapeAt, systemClock, windowStartOf, type UsageClock } from './usage-clock.js';
import type { UsageSource } from './usage-sources.js';
import { WindowAggregator } from './window-aggregator.js';

export interface UsageCollectorConfig {
  readonly cluster: string;
  /** Topic of UsageSample records (kcost.usage.v1). */
  readonly topic: string;
  /** Topic of the samples that name their node, keyed by it (kcost.usage.bynode.v1); absent or empty: all go to `topic`. */
  readonly usageByNodeTopic?: string;
  /** Topic of the samples that name their node as one NodeUsage per node and window, keyed by node (kcost.usage.nodewindow.v1); absent or empty: not used. */
  readonly usageNodeWindowTopic?: string;
  readonly windowSeconds: number;
  /** How often the source is read within a window. */
  readonly scrapeIntervalMillis: number;
  readonly maxGapWindows: number;
}

export interface UsageCollectorDeps {
  readonly source: UsageSource;
  readonly publisher: RecordPublisher;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly clock?: UsageClock;
  /** False for a pod known to be deleted, so its containers get no more gap records. */
  readonly podExists?: (podUid: string) => boolean;
}

export interface UsageCollector {
  /** Scrapes and publishes window after window until stop(); resolves when the loop has ended. */
  run(): Promise<void>;
  /** Ends the loop (the open window is left to the next instance) and waits for Kafka to acknowledge what was published. */
  stop(): Promise<void>;
  /** True once the first scrape was attempted. */
  isReady(): boolean;
}

/**
 * The usage collector's loop: read the source at every scrape tick, feed the
 * window aggregator, and at every window boundary publish that window's
 * samples (gaps included; a window the loop slept through entirely is a gap
 * too). Windows are aligned to multiples of their length.
 */
export function buildUsageCollector(deps: UsageCollectorDeps, config: UsageCollectorConfig): UsageCollector {
  const clock = deps.clock ?? systemClock;
  const windowMillis = config.windowSeconds * 1000;
  const aggregator = new WindowAggregator({ cluster: config.cluster, windowSeconds: config.windowSeconds, source: deps.source.name, maxGapWindows: config.maxGapWindows });
  const registers = [deps.registry];
  const scrapes = new Counter({ name: 'kcost_usage_scrapes_total', help: 'Reads of a usage scope (the metrics API, or one node), by result.', labelNames: ['result'], registers });
  const published = new Counter({ name: 'kcost_usage_samples_published_total', help: 'UsageSample records published, by whether they are gaps.', labelNames: ['gap'], registers });
  const publishFailures = new Counter({ name: 'kcost_usage_publish_failures_total', help: 'UsageSample records Kafka did not acknowledge.', registers });
  const abort = new AbortController();
  let ready = false;
  let running: Promise<void> | undefined;

  const publishWindow = async (samples: UsageSample[]): Promise<void> => {
    if (samples.length === 0) return;
    for (const sample of samples) published.inc({ gap: String(sample.gap) });
    try {
      const topics = { usage: config.topic, usageByNode: config.usageByNodeTopic ?? '', usageNodeWindow: config.usageNodeWindowTopic ?? '' };
      await deps.publisher.publish(usageRecordsOf(samples, topics));
    } catch (error) {
      publishFailures.inc(samples.length);
      deps.logger.error({ err: messageOf(error), samples: samples.length, windowStart: samples[0]?.windowStart }, 'publishing usage samples failed');
    }
  };

  const loop = async (): Promise<void> => {
    let open = windowStartOf(clock.now(), windowMillis);
    while (!abort.signal.aborted) {
      const current = windowStartOf(clock.now(), windowMillis);
      for (; open < current; open += windowMillis) await publishWindow(aggregator.close(open, deps.podExists));
      const results = await deps.source.scrape(abort.signal);
      ready = true;
      if (abort.signal.aborted) break;
      for (const scrape of results) {
        scrapes.inc({ result: scrape.ok ? 'ok' : 'failed' });
        aggregator.record(scrape);
      }
      const now = clock.now();
      await clock.sleep(Math.max(0, nextScrapeAt(now, windowMillis, config.scrapeIntervalMillis) - now), abort.signal);
    }
  };

  return {
    run() {
      running ??= loop();
      return running;
    },
    async stop() {
      abort.abort();
      await running;
      await deps.publisher.flush();
    },
    isReady: () => ready,
  };
}
