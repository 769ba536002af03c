import type { BillingLine } from '../../codec/records.generated.js';
import { KcostError, messageOf } from '../../errors/kcost-error.js';
import { billingLineKey, billingPeriodPrefix } from '../../kafka/topics.js';
import type { RejectedRecord } from '../../kafka/dead-letter.js';
import type { Logger } from '../../log/logger.js';
import { readBillingStream, UnreadableFileError, type FileRow } from './bill-file-reader.js';
import type { BillMetrics } from './bill-metrics.js';
import type { BillSource } from './bill-source.js';
import { RowError } from './cell-values.js';
import { mapCur2Row } from './cur2-mapper.js';
import { DeliveryBook, type DeliveryBookState, type ListedFile } from './delivery-book.js';
import { mapFocusRow } from './focus-mapper.js';
import { identify, type UnidentifiedLine } from './line-identity.js';

/** A record for the billing topic: a line, or a tombstone (value null) retiring a key. */
export interface BillingRecord {
  readonly key: string;
  readonly value: BillingLine | null;
}

export interface BillRunnerDeps {
  readonly source: BillSource;
  /** Resolves once the broker has acknowledged the records. */
  readonly publish: (records: readonly BillingRecord[]) => Promise<void>;
  readonly deadLetter: (rejected: RejectedRecord, error: KcostError) => Promise<void>;
  /** Persists the book after a scan's records are acknowledged (the state file), so a restart neither republishes nor misses a retirement. */
  readonly saveState: (state: DeliveryBookState) => Promise<void>;
  readonly initialState?: DeliveryBookState;
  readonly metrics: BillMetrics;
  readonly logger: Logger;
  readonly clock: () => number;
}

/** How one scan went. */
export interface ScanOutcome {
  readonly ok: boolean;
  readonly filesRead: number;
  readonly published: number;
  readonly retired: number;
  readonly deadLettered: number;
  readonly error?: string;
}

interface ParsedFile {
  readonly file: ListedFile;
  /** Lines by billing period prefix, in row order, without ids. */
  readonly byPeriod: Map<string, UnidentifiedLine[]>;
  readonly rejects: Array<{ row: number; raw: string; error: KcostError }>;
}

/**
 * Scans the billing source: reads new and re-delivered files, and for every
 * billing period they touch publishes the lines of the delivery in effect
 * (DeliveryBook) and tombstones for the period's keys that delivery no longer
 * holds. Bad rows of a newly read file are dead-lettered with file, row and
 * reason; they never stop the load. Nothing is remembered until the broker
 * acknowledged the records, so a failed scan is repeated whole.
 */
export class BillRunner {
  private book: DeliveryBook;

  constructor(private readonly deps: BillRunnerDeps) {
    this.book = new DeliveryBook(deps.initialState);
  }

  async scan(): Promise<ScanOutcome> {
    const { metrics, logger, source } = this.deps;
    try {
      const outcome = await this.scanOnce();
      metrics.lastSuccess.set(this.deps.clock() / 1000);
      if (outcome.filesRead > 0 || outcome.retired > 0) logger.info({ source: source.name, ...outcome }, 'billing source scanned');
      return outcome;
    } catch (error) {
      metrics.scanFailures.inc();
      logger.error({ err: error, source: source.name }, `scanning the billing source failed: ${messageOf(error)}; the next scan tries again`);
      return { ok: false, filesRead: 0, published: 0, retired: 0, deadLettered: 0, error: messageOf(error) };
    }
  }

  private async scanOnce(): Promise<ScanOutcome> {
    const { source, metrics } = this.deps;
    const listed = await source.list();
    const { changed, removed } = this.book.changes(listed);
    if (changed.length === 0 && removed.length === 0) return { ok: true, filesRead: 0, published: 0, retired: 0, deadLettered: 0 };
    const ingestedAt = this.deps.clock();
    const parsed = new Map<string, ParsedFile>();
    for (const file of changed) parsed.set(file.id, await this.parse(file, ingestedAt));
    const affected = new Set<string>();
    for (const file of changed) for (const period of this.book.periodsOf(file.id)) affected.add(period);
    for (const id of removed) for (const period of this.book.periodsOf(id)) affected.add(period);
    for (const p of parsed.values()) for (const period of p.byPeriod.keys()) affected.add(period);
    const next = this.book.withFiles([...parsed.values()].map((p) => ({ file: p.file, periods: [...p.byPeriod.keys()] })), removed);

    const byId = new Map(listed.map((f) => [f.id, f]));
    const records: BillingRecord[] = [];
    let retired = 0;
    for (const period of [...affected].sort()) {
      const members = next.delivery(period);
      // A period's line ids are counted over the whole delivery, so every part of it is read (again) here.
      for (const id of members) if (!parsed.has(id)) parsed.set(id, await this.parse(byId.get(id) as ListedFile, ingestedAt));
      const seen = new Map<string, number>();
      const keys = new Set<string>();
      for (const id of members) {
        for (const line of parsed.get(id)?.byPeriod.get(period) ?? []) {
          const identified = identify(line, seen);
          const key = billingLineKey(identified);
          keys.add(key);
          records.push({ key, value: identified });
        }
      }
      for (const key of next.replace(period, keys)) {
        records.push({ key, value: null });
        retired++;
      }
    }
    let deadLettered = 0;
    for (const file of changed) {
      for (const reject of parsed.get(file.id)?.rejects ?? []) {
        await this.deps.deadLetter({ topic: file.id, partition: 0, offset: String(reject.row), key: null, value: reject.raw === '' ? null : Buffer.from(reject.raw) }, reject.error);
        metrics.rowsDeadLettered.inc({ reason: reject.error.code });
        deadLettered++;
      }
    }
    await this.deps.publish(records);
    await this.deps.saveState(next.state());
    this.book = next;
    const published = records.length - retired;
    metrics.linesPublished.inc(published);
    metrics.linesRetired.inc(retired);
    return { ok: true, filesRead: changed.length, published, retired, deadLettered };
  }

  private async parse(file: ListedFile, ingestedAt: number): Promise<ParsedFile> {
    const byPeriod = new Map<string, UnidentifiedLine[]>();
    const rejects: ParsedFile['rejects'] = [];
    const unreadable = (error: string): ParsedFile => {
      this.deps.metrics.filesRead.inc({ format: 'unreadable' });
      return { file, byPeriod: new Map(), rejects: [{ row: 0, raw: '', error: new KcostError('UNREADABLE_BILLING_FILE', `${file.id}: ${error}`) }] };
    };
    const result = await readBillingStream(await this.deps.source.open(file.id));
    if (!result.ok) return unreadable(result.error);
    const map = result.format === 'CUR-2.0' ? mapCur2Row : mapFocusRow;
    try {
      // Each row becomes its line as it is read: the file itself is never held, only the lines of its periods.
      for await (const row of result.rows) {
        const line = toLine(row, map, { sourceFormat: result.format, sourceFile: file.id, sourceVersion: file.version, ingestedAt });
        if (line instanceof KcostError) {
          rejects.push({ row: row.row, raw: row.raw || ('cells' in row ? JSON.stringify(row.cells, bigintAsText) : ''), error: line });
          continue;
        }
        const period = billingPeriodPrefix(line);
        const lines = byPeriod.get(period) ?? [];
        lines.push(line);
        byPeriod.set(period, lines);
      }
    } catch (error) {
      // A file that breaks off past its start (a gzip stream cut short) is refused whole, as one that breaks at its start.
      if (error instanceof UnreadableFileError) return unreadable(error.message);
      throw error;
    }
    this.deps.metrics.filesRead.inc({ format: result.format });
    return { file, byPeriod, rejects };
  }

  state(): DeliveryBookState {
    return this.book.state();
  }
}

function toLine(
  row: FileRow,
  map: typeof mapFocusRow,
  source: { sourceFormat: string; sourceFile: string; sourceVersion: string; ingestedAt: number },
): UnidentifiedLine | KcostError {
  if ('error' in row) return new KcostError('BAD_BILLING_ROW', `${source.sourceFile} row ${row.row}: ${row.error}`);
  try {
    return map(row.cells, { ...source, sourceRow: row.row });
  } catch (error) {
    if (!(error instanceof RowError)) throw error;
    return new KcostError('BAD_BILLING_ROW', `${source.sourceFile} row ${row.row}: ${error.message}`);
  }
}

function bigintAsText(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
