import type pg from 'pg';
import type { BillingLine, NodeCost, PodCost, Recommendation } from '../codec/records.generated.js';
import { copyRows } from '../db/copy-rows.js';
import type { StorageVariant } from '../db/migration-plan.js';
import { classifyDbError } from '../db/pg-errors.js';
import { messageOf } from '../errors/kcost-error.js';
import type { Logger } from '../log/logger.js';
import { NODE_ROLLUPS, POD_ROLLUPS, RollupAccumulator, upsertParameters, upsertStatement, type RollupSpec } from './rollups.js';
import { billingLineKey } from '../kafka/topics.js';
import { applyBillingLines } from './billing-writer.js';
import { keyMismatch } from './recommendation-plan.js';
import { applyRecommendations } from './recommendation-writer.js';
import { lockNextOffset, storeNextOffset } from './sink-offsets.js';
import { columnNames, encodeRow, KEYED_SCHEMAS, TABLES_BY_SCHEMA, type LoadedSchema, type TableSpec } from './tables.js';
import { rejectionReason } from './validate.js';

/** A decoded record with its Kafka position; value null is a tombstone (loaded only from kcost.recommendations.v1 and kcost.billing.v1). */
export interface SinkRecord {
  readonly offset: string;
  readonly key: string | null;
  readonly value: unknown;
}

/** Records of one partition to load in one transaction, in offset order. */
export interface LoadBatch {
  readonly topic: string;
  readonly partition: number;
  readonly schema: LoadedSchema;
  readonly records: readonly SinkRecord[];
  /** Stored as the partition's next offset when the transaction commits. */
  readonly nextOffset: string;
}

/** A record that will not be loaded, and why. */
export interface Rejection {
  readonly record: SinkRecord;
  /** INVALID_RECORD: failed validation; DB_REJECTED: the database refused the row. */
  readonly code: 'INVALID_RECORD' | 'DB_REJECTED';
  readonly reason: string;
}

export interface LoadResult {
  readonly loaded: number;
  /** Records at offsets the database already holds (a redelivery), dropped. */
  readonly skipped: number;
  readonly rejected: readonly Rejection[];
  /** Recommendations of a kind this version does not know (UNKNOWN), left out as the schema asks readers to. */
  readonly ignored: number;
  /** Whether a rejected row forced a row-by-row pass. */
  readonly isolated: boolean;
}

export interface BatchWriterOptions {
  readonly pool: pg.Pool;
  readonly variant: StorageVariant;
  readonly group: string;
  /**
   * Sends rejected records to the dead-letter topic. Called inside the
   * transaction, before it commits, so the offset never moves past a record
   * whose dead letter is not out (a crash may send one twice, never zero times).
   */
  readonly reject: (batch: LoadBatch, rejections: readonly Rejection[]) => Promise<void>;
  readonly logger: Logger;
}

const DAY_MILLIS = 86_400_000;

/**
 * Loads batches exactly once: one transaction locks the partition's stored
 * offset, drops records below it, COPYs the rest into the raw table, merges
 * them into the rollups (plain PostgreSQL path) and stores the new offset.
 */
export class BatchWriter {
  private readonly partitionedDays = new Set<number>();

  constructor(private readonly options: BatchWriterOptions) {}

  async write(batch: LoadBatch): Promise<LoadResult> {
    const spec = TABLES_BY_SCHEMA[batch.schema] as TableSpec;
    const valid: SinkRecord[] = [];
    const invalid: Rejection[] = [];
    const keyed = KEYED_SCHEMAS.has(batch.schema);
    let ignored = 0;
    for (const record of batch.records) {
      if (record.value === null) {
        // A tombstone retires a key of the latest-per-key table; the other tables have no keys to retire.
        if (keyed) valid.push(record);
        continue;
      }
      if (batch.schema === 'Recommendation' && (record.value as Recommendation).kind === 'UNKNOWN') {
        ignored++;
        continue;
      }
      const reason = rejectionReason(spec, record.value as never) ?? keyReason(batch.schema, record);
      if (reason === undefined) valid.push(record);
      else invalid.push({ record, code: 'INVALID_RECORD', reason });
    }
    // recommendation_history is partitioned by day on plain PostgreSQL like the event tables; billing_line is not.
    if (this.options.variant === 'postgres' && spec.partitionTime !== null) await this.ensurePartitions(valid, spec.partitionTime);
    const client = await this.options.pool.connect();
    let discard: Error | undefined;
    try {
      try {
        return { ...(await this.transact(client, batch, spec, valid, invalid, false)), ignored };
      } catch (error) {
        if (classifyDbError(error) !== 'data') throw error;
        this.options.logger.warn({ topic: batch.topic, partition: batch.partition, err: error }, 'the database rejected a row; loading the batch row by row');
        return { ...(await this.transact(client, batch, spec, valid, invalid, true)), ignored };
      }
    } catch (error) {
      if (classifyDbError(error) === 'transient') discard = error instanceof Error ? error : new Error(messageOf(error));
      throw error;
    } finally {
      client.release(discard);
    }
  }

  private async transact(
    client: pg.PoolClient,
    batch: LoadBatch,
    spec: TableSpec,
    valid: readonly SinkRecord[],
    invalid: readonly Rejection[],
    isolate: boolean,
  ): Promise<Omit<LoadResult, 'ignored'>> {
    const { group } = this.options;
    await client.query('BEGIN');
    try {
      const stored = await lockNextOffset(client, group, batch.topic, batch.partition);
      const isNew = (r: SinkRecord) => BigInt(r.offset) >= stored;
      const fresh = valid.filter(isNew);
      const rejected = invalid.filter((r) => isNew(r.record));
      const rollups = this.options.variant === 'postgres' ? rollupsOf(batch.schema) : [];
      const loaded =
        batch.schema === 'Recommendation'
          ? await this.applyLatest(client, fresh, rejected, isolate, (events) => applyRecommendations(client, events.map((e) => ({ key: e.key, value: e.value as Recommendation | null }))))
          : batch.schema === 'BillingLine'
          ? await this.applyLatest(client, fresh, rejected, isolate, (events) => applyBillingLines(client, events.map((e) => ({ key: e.key, value: e.value as BillingLine | null }))))
          : isolate
            ? await this.copyEach(client, spec, fresh, rejected, rollups)
            : await this.copyAll(client, spec, fresh, rollups);
      for (const rollup of rollups) await upsert(client, rollup.spec, rollup.result());
      if (rejected.length > 0) await this.options.reject(batch, rejected);
      await storeNextOffset(client, group, batch.topic, batch.partition, batch.nextOffset);
      await client.query('COMMIT');
      // Records neither valid nor invalid were left out before the transaction (write() counts them).
      const leftOut = batch.records.length - valid.length - invalid.length;
      return { loaded: loaded.length, skipped: batch.records.length - leftOut - fresh.length - rejected.length, rejected, isolated: isolate };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** One COPY for the batch; rows are encoded (and summed into the rollups) as the stream asks for them, while the server parses the previous chunk. */
  private async copyAll(client: pg.PoolClient, spec: TableSpec, records: readonly SinkRecord[], rollups: readonly Accumulator[]): Promise<SinkRecord[]> {
    if (records.length === 0) return [];
    function* lines(): Generator<string> {
      for (const record of records) {
        for (const rollup of rollups) rollup.add(record.value as never);
        yield encodeRow(spec, record.value as never);
      }
    }
    await copyRows(client, spec.table, columnNames(spec), lines());
    return [...records];
  }

  /** One COPY per row under a savepoint: the rows the database refuses become rejections, the rest load. */
  private async copyEach(
    client: pg.PoolClient,
    spec: TableSpec,
    records: readonly SinkRecord[],
    rejected: Rejection[],
    rollups: readonly Accumulator[],
  ): Promise<SinkRecord[]> {
    const loaded: SinkRecord[] = [];
    const columns = columnNames(spec);
    for (const record of records) {
      await client.query('SAVEPOINT kcost_row');
      try {
        await copyRows(client, spec.table, columns, [encodeRow(spec, record.value as never)]);
        await client.query('RELEASE SAVEPOINT kcost_row');
        loaded.push(record);
        for (const rollup of rollups) rollup.add(record.value as never);
      } catch (error) {
        if (classifyDbError(error) !== 'data') throw error;
        await client.query('ROLLBACK TO SAVEPOINT kcost_row');
        rejected.push({ record, code: 'DB_REJECTED', reason: messageOf(error) });
      }
    }
    return loaded;
  }

  /**
   * Keyed tables (recommendations with their history, billing lines): the
   * whole batch at once, or one record at a time under a savepoint when the
   * database refused a row (the refused ones become rejections).
   */
  private async applyLatest(
    client: pg.PoolClient,
    records: readonly SinkRecord[],
    rejected: Rejection[],
    isolate: boolean,
    apply: (events: readonly SinkRecord[]) => Promise<void>,
  ): Promise<SinkRecord[]> {
    if (!isolate) {
      await apply(records);
      return [...records];
    }
    const loaded: SinkRecord[] = [];
    for (const record of records) {
      await client.query('SAVEPOINT kcost_row');
      try {
        await apply([record]);
        await client.query('RELEASE SAVEPOINT kcost_row');
        loaded.push(record);
      } catch (error) {
        if (classifyDbError(error) !== 'data') throw error;
        await client.query('ROLLBACK TO SAVEPOINT kcost_row');
        rejected.push({ record, code: 'DB_REJECTED', reason: messageOf(error) });
      }
    }
    return loaded;
  }

  /**
   * Creates the daily partitions of the days a batch writes, and the day
   * after (so the next day's first batch finds its partition), in its own
   * short transaction before the load. Days already seen are skipped.
   */
  private async ensurePartitions(records: readonly SinkRecord[], partitionTime: (record: never) => number): Promise<void> {
    const days = new Set<number>();
    for (const record of records) {
      if (record.value === null) continue;
      const day = Math.floor(partitionTime(record.value as never) / DAY_MILLIS);
      if (!this.partitionedDays.has(day)) days.add(day);
    }
    for (const day of [...days].sort((a, b) => a - b)) {
      const from = new Date(day * DAY_MILLIS).toISOString().slice(0, 10);
      const to = new Date((day + 1) * DAY_MILLIS).toISOString().slice(0, 10);
      await this.options.pool.query('SELECT kcost_ensure_partitions($1::date, $2::date)', [from, to]);
      this.partitionedDays.add(day);
      this.partitionedDays.add(day + 1);
    }
  }
}

type Accumulator = RollupAccumulator<never>;

/** Fresh accumulators for the rollups of a raw table on plain PostgreSQL (none for anomalies and prices). */
function rollupsOf(schema: LoadedSchema): Accumulator[] {
  const specs: ReadonlyArray<RollupSpec<PodCost>> | ReadonlyArray<RollupSpec<NodeCost>> = schema === 'PodCost' ? POD_ROLLUPS : schema === 'NodeCost' ? NODE_ROLLUPS : [];
  return specs.map((spec) => new RollupAccumulator(spec as unknown as RollupSpec<never>));
}

const statements = new Map<string, string>();

async function upsert(client: pg.PoolClient, spec: RollupSpec<never>, rows: ReturnType<Accumulator['result']>): Promise<void> {
  if (rows.length === 0) return;
  let sql = statements.get(spec.table);
  if (sql === undefined) {
    sql = upsertStatement(spec);
    statements.set(spec.table, sql);
  }
  await client.query(sql, upsertParameters(spec, rows));
}

/** Why a keyed record cannot be stored under its Kafka key (compaction would keep it under another key than the table), or undefined. */
function keyReason(schema: LoadedSchema, record: SinkRecord): string | undefined {
  if (schema === 'Recommendation') return keyMismatch(record.key, record.value as Recommendation);
  if (schema !== 'BillingLine') return undefined;
  const key = billingLineKey(record.value as BillingLine);
  return record.key === null || record.key === key ? undefined : `the Kafka key ${JSON.stringify(record.key)} is not the line's key ${JSON.stringify(key)}`;
}
