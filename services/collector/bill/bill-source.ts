import type { Readable } from 'node:stream';
import type { ListedFile } from './delivery-book.js';

/** Where billing exports are delivered: a local directory or an S3 bucket and prefix. */
export interface BillSource {
  /** What --source says, for logs. */
  readonly name: string;
  /** Every billing file (.csv, .parquet, optionally .gz) under the source, recursively. */
  list(): Promise<ListedFile[]>;
  /** The file's bytes as a stream, so that a large export is never held whole. */
  open(id: string): Promise<Readable>;
}
