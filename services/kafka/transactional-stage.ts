import type { Batch, Consumer, IHeaders, Kafka, Message, PartitionOffset, Producer } from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import type { Logger } from '../log/logger.js';
import { batchSlices } from './batch-slices.js';
import { chunkTopicMessages } from './chunk-messages.js';
import { CoPartitionedAssigner } from './co-partitioned-assigner.js';
import { createProducer } from './kafka-client.js';

const MAX_TRANSACTION_ATTEMPTS = 8;
/** Default of TransactionalStageOptions.maxRecordsPerTransaction. */
export const DEFAULT_MAX_RECORDS_PER_TRANSACTION = 5000;
/** Partitions of a fetch handled side by side (one slice's transaction at a time); more than kcost's topics have. */
const PARTITIONS_CONSUMED_CONCURRENTLY = 64;

/** One record a stage publishes; `partition` pins it, otherwise the key's murmur2 partition is used. */
export interface StageRecord {
  readonly topic: string;
  readonly key: string;
  /** null: a tombstone, for a compacted topic. */
  readonly value: Buffer | null;
  readonly partition?: number;
  readonly headers?: IHeaders;
}

/**
 * An input position to commit, of the handler's inputTopic unless `topic`
 * names one of its coInputTopics; kafkajs passes the metadata through to
 * TxnOffsetCommit, though its type leaves it out.
 */
export type StageOffset = PartitionOffset & { readonly metadata?: string; readonly topic?: string };

/** What handling one fetched batch produced: records to publish and the input positions to commit with them. */
export interface StageOutput {
  readonly records: readonly StageRecord[];
  /** Offsets (and offset metadata) of the input topic to commit in the same transaction. */
  readonly offsets: readonly StageOffset[];
}

/** The offset to commit once a whole batch is handled: the one after its last record. */
export function offsetAfter(batch: Batch): PartitionOffset {
  return { partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() };
}

/** The committed offset (-1: none yet) and offset metadata of an input partition. */
export interface CommittedPosition {
  readonly offset: string;
  readonly metadata: string | null;
}

/** What a stage does; TransactionalStage runs it and publishes its output. */
export interface StageHandler {
  readonly inputTopic: string;
  /**
   * Further input topics, partitioned as inputTopic: the member that owns
   * partition p of inputTopic owns partition p of each of these too (every
   * member assigns with CoPartitionedAssigner), so a key's records from all
   * of them meet in one member. Batches of them come to handle() as well.
   */
  readonly coInputTopics?: readonly string[];
  /**
   * Called on every (re)join with the input partitions this member now owns
   * and their committed positions, before any of their batches: the stage
   * rebuilds whatever state must match those positions. `coCommitted` holds
   * those of the coInputTopics, by topic.
   */
  onAssigned(partitions: readonly number[], committed: ReadonlyMap<number, CommittedPosition>, coCommitted: ReadonlyMap<string, ReadonlyMap<number, CommittedPosition>>): Promise<void> | void;
  /** Turns a fetched batch into output; must not publish anything itself. */
  handle(batch: Batch): Promise<StageOutput> | StageOutput;
  /**
   * Called when a batch's transaction was aborted because the group is
   * rebalancing: whatever the handler kept from that batch must be
   * forgotten, as the batch will be read again. onAssigned follows before
   * the next batch.
   */
  onAborted?(partition: number): void;
  /**
   * Called every `timerIntervalMillis` while the member is in its group,
   * whether input arrives or not, never during a batch: records that depend
   * on time passing (a quiet input partition). Its records are published in
   * a transaction of their own, without input offsets, so that a timer never
   * moves the stage's position behind the consumer's back; a failed publish
   * is logged, and the handler simply sends again on a later call.
   */
  onTimer?(): Promise<readonly StageRecord[]> | readonly StageRecord[];
  /** Called when the output of onTimer could not be published: a handler that remembers what it published must forget it. */
  onTimerFailed?(): void;
}

export interface TransactionalStageOptions {
  readonly kafka: Kafka;
  readonly logger: Logger;
  readonly groupId: string;
  readonly transactionalId: string;
  /** Called once when a batch could not be handled and committed; the process must restart from the committed offsets. */
  readonly onFatal: (error: unknown) => void;
  /** How often the handler's onTimer runs (default 1 s). */
  readonly timerIntervalMillis?: number;
  /**
   * Most input records handled and committed in one transaction (default
   * DEFAULT_MAX_RECORDS_PER_TRANSACTION): a fetch of up to 1 MiB per
   * partition is handled in slices of this many, so a backlog's output
   * reaches readers as it goes and a rebalance waits for one slice only.
   */
  readonly maxRecordsPerTransaction?: number;
  /**
   * Resolves once the handler may run (the processor's state rebuilt): the
   * stage connects and joins its group meanwhile, so the joins overlap the
   * rebuild, but no batch or timer output is handled before it. A rejection
   * stops the stage as a failed batch does.
   */
  readonly handlerReady?: Promise<unknown>;
}

/** Milliseconds since this process started (the timeline the first-event logs give). */
export function sinceProcessStart(): number {
  return Math.round(performance.now());
}

function isRetriableKafkaError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}

/** The group moved on while the batch was handled: the consumer must rejoin, and the batch is redone by the partition's next owner. */
const REBALANCE_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']);

function isRebalanceError(error: unknown): boolean {
  // kafkajs wraps the broker's error when its own retries give up.
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 4; depth++) {
    if (REBALANCE_ERRORS.has(String((e as { type?: unknown }).type))) return true;
    e = (e as { originalError?: unknown; cause?: unknown }).originalError ?? (e as { cause?: unknown }).cause;
  }
  return false;
}

type CommitOutcome = 'committed' | { readonly error: unknown };

interface PendingCommit {
  readonly records: StageRecord[];
  readonly offsets: Map<string, StageOffset>;
  inputRecords: number;
  readonly outcome: Promise<CommitOutcome>;
  readonly settle: (outcome: CommitOutcome) => void;
}

/**
 * A consume-transform-produce loop with exactly-once output: each fetched
 * batch is handled, and its output records and input offsets are committed
 * in one Kafka transaction. Consumers of the output read read_committed, so
 * a crash between fetch and commit leaves nothing visible and the batch is
 * redone from the committed offsets. Every processor stage runs on one.
 */
export class TransactionalStage {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  /** Set by a (re)join, cleared once onAssigned has been told. */
  private assigned: readonly number[] | null = null;
  private lastAssigned: readonly number[] = [];
  private failed = false;
  private running = false;
  private joined = false;
  private rebalancing = false;
  /** Counts the joins, so that the rest of a batch fetched before one is left to be fetched again. */
  private generation = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerBusy = false;
  /** Batches and timer calls take turns: one transaction of this producer at a time, and handler state is never touched by both. */
  private turn: Promise<unknown> = Promise.resolve();
  /** Tasks queued for their turn and not started yet. */
  private queued = 0;
  /** Output of the slices handled since the last commit, committed together (groupCommit). */
  private pending: PendingCommit | null = null;
  /** Which first events of this process's timeline were logged: one info line each, so a slow start can be read off the log. */
  private readonly firsts = new Set<'join' | 'batch' | 'commit'>();

  constructor(
    private readonly options: TransactionalStageOptions,
    private readonly handler: StageHandler,
  ) {
    const coPartitioned = (handler.coInputTopics ?? []).length > 0 ? { partitionAssigners: [CoPartitionedAssigner] } : {};
    // Fetches of 1 MiB per partition, 4 MiB in all: transactions are bounded by maxRecordsPerTransaction
    // whatever the fetch, but the next fetch waits until every batch of this one is handled, and what a
    // stage sent itself (the pricing stage's ticks, read back from its internal partition) or its upstream
    // committed meanwhile comes only with it. With 8/32 MiB a backlog's first fetch held the first
    // costs back for seconds (docs/performance.md).
    this.consumer = options.kafka.consumer({ groupId: options.groupId, readUncommitted: false, maxBytesPerPartition: 1024 * 1024, maxBytes: 4 * 1024 * 1024, retry: { retries: 10, initialRetryTime: 300 }, ...coPartitioned });
    this.producer = createProducer(options.kafka, { transactionalId: options.transactionalId });
  }

  async start(): Promise<void> {
    await this.producer.connect();
    await this.consumer.connect();
    // Every (re)join resumes from the committed offsets; the stage learns its partitions before the first batch.
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      this.generation++;
      this.assigned = [...(event.payload.memberAssignment[this.handler.inputTopic] ?? [])].sort((a, b) => a - b);
      this.lastAssigned = this.assigned;
      this.joined = true;
      this.rebalancing = false;
      this.first('join', { partitions: this.assigned }, 'stage joined its group');
    });
    this.consumer.on(this.consumer.events.REBALANCING, () => {
      this.rebalancing = true;
    });
    await this.consumer.subscribe({ topics: this.inputTopics(), fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Slices of the partitions of one fetch take turns, so a backlog advances on every partition together
      // (the pricing stage closes a window only once every lane has passed it), not one partition after the other.
      partitionsConsumedConcurrently: PARTITIONS_CONSUMED_CONCURRENTLY,
      eachBatch: async (payload) => {
        const { batch } = payload;
        if (batch.messages.length === 0) return;
        const generation = this.generation;
        for (const slice of batchSlices(batch, this.options.maxRecordsPerTransaction ?? DEFAULT_MAX_RECORDS_PER_TRANSACTION)) {
          const committed = await this.inTurn(async () => {
            // A batch fetched before a rebalance is read again by the partition's owner from the committed offsets.
            if (this.failed || this.rebalancing || generation !== this.generation || !payload.isRunning() || payload.isStale()) return null;
            try {
              await this.options.handlerReady;
              this.first('batch', { topic: batch.topic, partition: batch.partition, records: batch.messages.length }, 'stage handles its first batch');
              if (this.assigned !== null) {
                const assigned = this.assigned;
                this.assigned = null;
                await this.handler.onAssigned(assigned, ...(await this.committedPositions()));
              }
              const output = await this.handler.handle(slice);
              return await this.groupCommit(output, slice.messages.length);
            } catch (error) {
              if (isRebalanceError(error)) this.abortBatch(error, batch.partition);
              this.failBatch(error, batch.partition);
              return null;
            }
          });
          if (committed === null) return;
          // Outside the turn, so that the slices of other partitions can join this one's transaction meanwhile.
          const outcome = await committed.outcome;
          if (outcome !== 'committed') {
            if (isRebalanceError(outcome.error)) this.abortBatch(outcome.error, batch.partition);
            this.failBatch(outcome.error, batch.partition);
            return;
          }
          payload.resolveOffset(slice.lastOffset());
          // Outside the try and the turn: a rebalance noticed here comes after the commit, and kafkajs handles it by rejoining.
          await payload.heartbeat();
        }
      },
    });
    this.running = true;
    if (this.handler.onTimer) {
      this.timer = setInterval(() => void this.runTimer(), this.options.timerIntervalMillis ?? 1000);
      this.timer.unref();
    }
  }

  private first(event: 'join' | 'batch' | 'commit', fields: Record<string, unknown>, message: string): void {
    if (this.firsts.has(event)) return;
    this.firsts.add(event);
    this.options.logger.info({ group: this.options.groupId, msSinceProcessStart: sinceProcessStart(), ...fields }, message);
  }

  /**
   * Runs `task` after every task queued before it. When no task is left
   * waiting at its end, the slices handled since the last commit are
   * committed, in one transaction (see groupCommit).
   */
  private inTurn<T>(task: () => Promise<T>): Promise<T> {
    this.queued++;
    const turn = async () => {
      this.queued--;
      try {
        return await task();
      } finally {
        if (this.queued === 0) await this.flushPending();
      }
    };
    const run = this.turn.then(turn, turn);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /**
   * Adds a handled slice's output to the transaction being gathered, and
   * returns when it will have been committed (or failed). The slices of the
   * partitions of one fetch, handled one after the other, commit together
   * (up to maxRecordsPerTransaction input records): one transaction for
   * what took one per partition, so a window whose lanes are spread over
   * the partitions closes after one commit rather than one per partition.
   * Their output and offsets are still atomic, all or nothing; a failed
   * commit fails every slice in it, each then aborted or fatal as before.
   */
  private async groupCommit(output: StageOutput, inputRecords: number): Promise<{ readonly outcome: Promise<CommitOutcome> }> {
    const limit = this.options.maxRecordsPerTransaction ?? DEFAULT_MAX_RECORDS_PER_TRANSACTION;
    if (this.pending && this.pending.inputRecords + inputRecords > limit) await this.flushPending();
    if (!this.pending) {
      let settle: (outcome: CommitOutcome) => void = () => undefined;
      const outcome = new Promise<CommitOutcome>((resolve) => (settle = resolve));
      this.pending = { records: [], offsets: new Map(), inputRecords: 0, outcome, settle };
    }
    const pending = this.pending;
    for (const record of output.records) pending.records.push(record);
    // A later slice's position of the same partition supersedes an earlier one's.
    for (const offset of output.offsets) pending.offsets.set(`${offset.topic ?? this.handler.inputTopic}/${offset.partition}`, offset);
    pending.inputRecords += inputRecords;
    // Wrapped: an async function would wait for a promise it returns, inside the turn that is to commit it.
    return { outcome: pending.outcome };
  }

  /** Commits the gathered slices, if any, and tells each of them how it went; never throws. */
  private async flushPending(): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    try {
      await this.commit({ records: pending.records, offsets: [...pending.offsets.values()] });
      pending.settle('committed');
    } catch (error) {
      pending.settle({ error });
    }
  }

  /** The group is rebalancing: nothing of the slice is visible; the handler forgets it and kafkajs rejoins on the error thrown on. */
  private abortBatch(error: unknown, partition: number): never {
    this.options.logger.info({ group: this.options.groupId, partition, reason: (error as { type?: string }).type }, 'the group is rebalancing; the batch will be read again');
    this.handler.onAborted?.(partition);
    this.assigned = this.lastAssigned;
    this.rebalancing = true;
    throw error;
  }

  /** A slice failed other than by a rebalance: in-memory state now reflects records whose offsets were not committed, so only a restart is safe. */
  private failBatch(error: unknown, partition: number): void {
    if (this.failed) return;
    this.failed = true;
    this.options.logger.error({ err: error, group: this.options.groupId, partition }, 'handling a batch failed; stopping so that a restart resumes from the committed offsets');
    this.options.onFatal(error);
  }

  private async runTimer(): Promise<void> {
    const onTimer = this.handler.onTimer?.bind(this.handler);
    if (!onTimer || this.timerBusy) return;
    this.timerBusy = true;
    try {
      await this.inTurn(async () => {
        if (!this.running || this.failed || !this.joined || this.rebalancing) return;
        try {
          await this.options.handlerReady;
          if (this.assigned !== null) {
            // A member that owns only partitions with nothing to read gets no batch: it learns them here.
            await this.handler.onAssigned(this.assigned, ...(await this.committedPositions()));
            this.assigned = null;
          }
          // Slices handled before this timer run commit first, so that an idle mark never precedes their output.
          await this.flushPending();
          await this.commit({ records: await onTimer(), offsets: [] });
        } catch (error) {
          this.options.logger.warn({ err: error, group: this.options.groupId }, 'publishing the stage timer output failed; it is sent again later');
          this.handler.onTimerFailed?.();
        }
      });
    } finally {
      this.timerBusy = false;
    }
  }

  get isRunning(): boolean {
    return this.running && !this.failed;
  }

  /** Stops fetching; the batch in hand finishes its transaction first. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  private inputTopics(): string[] {
    return [this.handler.inputTopic, ...(this.handler.coInputTopics ?? [])];
  }

  /** Committed positions of inputTopic, and of each coInputTopic by topic. */
  private async committedPositions(): Promise<[Map<number, CommittedPosition>, Map<string, Map<number, CommittedPosition>>]> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const byTopic = new Map((await admin.fetchOffsets({ groupId: this.options.groupId, topics: this.inputTopics() })).map((t) => [t.topic, new Map(t.partitions.map((p) => [p.partition, { offset: p.offset, metadata: p.metadata }]))]));
      const own = byTopic.get(this.handler.inputTopic) ?? new Map<number, CommittedPosition>();
      byTopic.delete(this.handler.inputTopic);
      return [own, byTopic];
    } finally {
      await admin.disconnect();
    }
  }

  private async commit(output: StageOutput): Promise<void> {
    if (output.records.length === 0 && output.offsets.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const record of output.records) {
      let list = byTopic.get(record.topic);
      if (!list) byTopic.set(record.topic, (list = []));
      // One object of one shape per record, built directly: this runs for every record a stage publishes.
      list.push({ key: record.key, value: record.value, partition: record.partition, headers: record.headers });
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.commitOnce(byTopic, output.offsets);
        if (output.records.length > 0) this.first('commit', { records: output.records.length }, 'stage committed its first output');
        return;
      } catch (error) {
        // CONCURRENT_TRANSACTIONS and the like: the coordinator is still finishing the previous
        // transaction. The aborted attempt left nothing visible, so the same transaction is redone.
        if (!isRetriableKafkaError(error) || isRebalanceError(error) || attempt >= MAX_TRANSACTION_ATTEMPTS) throw error;
        // The coordinator finishing the previous commit is routine right after one; anything else is worth a warning.
        const routine = (error as { type?: unknown }).type === 'CONCURRENT_TRANSACTIONS';
        this.options.logger[routine ? 'debug' : 'warn']({ err: error, attempt, group: this.options.groupId }, 'transaction failed with a retriable error; retrying it');
        // Short first waits, as the Java producer's 20 ms for CONCURRENT_TRANSACTIONS: the coordinator usually needs only a few ms.
        await new Promise((resolve) => setTimeout(resolve, Math.min(10 * 2 ** attempt, 5000)));
      }
    }
  }

  private async commitOnce(byTopic: ReadonlyMap<string, Message[]>, offsets: readonly StageOffset[]): Promise<void> {
    const transaction = await this.producer.transaction();
    try {
      for (const topicMessages of chunkTopicMessages([...byTopic].map(([topic, messages]) => ({ topic, messages })))) {
        await transaction.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages });
      }
      if (offsets.length > 0) await transaction.sendOffsets({ consumerGroupId: this.options.groupId, topics: offsetsByTopic(offsets, this.handler.inputTopic) });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch((abortError: unknown) => this.options.logger.warn({ err: abortError }, 'aborting the transaction failed'));
      throw error;
    }
  }
}

/** Offsets grouped by their topic (`defaultTopic` where they name none), as sendOffsets takes them. */
function offsetsByTopic(offsets: readonly StageOffset[], defaultTopic: string): { topic: string; partitions: PartitionOffset[] }[] {
  const byTopic = new Map<string, PartitionOffset[]>();
  for (const { topic, ...position } of offsets) {
    const list = byTopic.get(topic ?? defaultTopic) ?? [];
    list.push(position);
    byTopic.set(topic ?? defaultTopic, list);
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}
