import type { Batch, Kafka } from 'kafkajs';
import type { Codec } from '../codec/codec.js';
import { anomalyKey } from '../kafka/topics.js';
import { offsetAfter, type CommittedPosition, type StageHandler, type StageOutput, type StageRecord } from '../kafka/transactional-stage.js';
import type { Logger } from '../log/logger.js';
import { AnomalyDetector, type SeriesSnapshot } from './anomaly-detector.js';
import type { AnomalyOptions } from './anomaly-options.js';
import { readChangelog } from './changelog-reader.js';
import { ClosedMarks } from './closed-marks.js';
import { decodeCostRate, decodeSeriesSnapshot, encodeSeriesSnapshot } from './internal-records.js';
import type { InternalTopics } from './internal-topics.js';
import type { ProcessorMetrics } from './processor-metrics.js';
import { stageDeadLetter } from './stage-dead-letter.js';

export interface ScoringStageOptions {
  readonly kafka: Kafka;
  readonly codec: Codec;
  readonly logger: Logger;
  readonly metrics: ProcessorMetrics;
  readonly internal: InternalTopics;
  readonly anomaliesTopic: string;
  readonly deadLetterTopic: string;
  readonly anomaly: AnomalyOptions;
  readonly now?: () => number;
}

interface PartitionScoring {
  readonly detector: AnomalyDetector;
  readonly marks: ClosedMarks;
}

/**
 * Stage 3 of the processor: reads the cost-rates topic, where each
 * namespace's workload costs arrive from whichever instances priced their
 * nodes, rolls them into hourly rates per workload and namespace, and scores
 * an hour once every by-node partition's closed mark has passed its end, so
 * no hour is scored on part of its cost. Anomalies and input offsets commit
 * in one transaction, with each rescored series' history to the compacted
 * anomaly-history topic, from which a restarted or new owner of a partition
 * takes the baselines back before it scores again.
 */
export class ScoringStage implements StageHandler {
  readonly inputTopic: string;
  private readonly partitions = new Map<number, PartitionScoring>();

  constructor(private readonly options: ScoringStageOptions) {
    this.inputTopic = options.internal.costRates;
  }

  /** The detector already holds the aborted batch's costs; a fresh one (skipping the hour in progress) avoids counting them twice. */
  onAborted(partition: number): void {
    this.partitions.delete(partition);
  }

  /**
   * Keeps the detectors of partitions still owned (every batch they read was
   * committed, so they match the committed offsets) and starts the others
   * from the changelog: the history as of the last commit. A detector
   * resuming after committed offsets skips the hour in progress, whose
   * earlier costs it has not seen.
   */
  async onAssigned(partitions: readonly number[], committed: ReadonlyMap<number, CommittedPosition>): Promise<void> {
    for (const partition of this.partitions.keys()) if (!partitions.includes(partition)) this.partitions.delete(partition);
    const fresh = partitions.filter((p) => !this.partitions.has(p));
    if (fresh.length === 0) return;
    const resumed = (partition: number) => Number(committed.get(partition)?.offset ?? -1) >= 0;
    const snapshots = new Map<number, Map<string, SeriesSnapshot | null>>(fresh.map((p) => [p, new Map()]));
    await readChangelog(this.options.kafka, this.options.internal.anomalyHistory, fresh, (partition, message) => {
      const key = message.key?.toString() ?? '';
      try {
        snapshots.get(partition)?.set(key, message.value === null ? null : decodeSeriesSnapshot(message.value));
      } catch (error) {
        this.options.logger.error({ err: error, partition, offset: message.offset }, 'skipped an unreadable anomaly-history record');
      }
    });
    let restoredSeries = 0;
    for (const partition of fresh) {
      const detector = new AnomalyDetector(this.options.anomaly, resumed(partition));
      for (const snapshot of snapshots.get(partition)?.values() ?? []) {
        if (snapshot === null) continue;
        detector.restore(snapshot);
        restoredSeries++;
      }
      this.partitions.set(partition, { detector, marks: new ClosedMarks(this.options.internal.usageByNodePartitions) });
    }
    this.options.logger.info({ partitions: fresh, restoredSeries }, 'anomaly baselines restored from the changelog');
  }

  async handle(batch: Batch): Promise<StageOutput> {
    const scoring = this.partitions.get(batch.partition);
    // onAssigned runs before the first batch after every join and after every aborted batch.
    if (!scoring) throw new Error(`scoring got a batch of cost-rates partition ${batch.partition}, which it was not assigned`);
    const records: StageRecord[] = [];
    for (const message of batch.messages) {
      if (message.value === null) continue;
      let record;
      try {
        record = decodeCostRate(message.value);
      } catch (error) {
        // Only this processor writes the topic: a bad record is a bug to see, not a reason to stop scoring.
        records.push(await stageDeadLetter(this.options, { topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key, value: message.value }, error));
        continue;
      }
      if (record.kind === 'cost') scoring.detector.add(record.point);
      else scoring.marks.add(record.mark);
    }
    const closedThrough = scoring.marks.closedThrough;
    if (Number.isFinite(closedThrough)) {
      for (const anomaly of scoring.detector.completeThrough(closedThrough)) {
        records.push({ topic: this.options.anomaliesTopic, key: anomalyKey(anomaly), value: await this.options.codec.encode('CostAnomaly', anomaly) });
        this.options.metrics.anomalies.inc({ scope: anomaly.scope, severity: anomaly.severity });
      }
    }
    for (const change of scoring.detector.takeChanges()) {
      records.push({ topic: this.options.internal.anomalyHistory, key: change.id, value: change.snapshot ? encodeSeriesSnapshot(change.snapshot) : null, partition: batch.partition });
    }
    return { records, offsets: [offsetAfter(batch)] };
  }
}
