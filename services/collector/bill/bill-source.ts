import type { ListedFile } from './delivery-book.js';

/** Where billing exports are delivered: a local directory or an S3 bucket and prefix. */
export interface BillSource {
  /** What --source says, for logs. */
  readonly name: string;
  /** Every billing file (.csv, .parquet, optionally .gz) under the source, recursively. */
  list(): Promise<ListedFile[]>;
  read(id: string): Promise<Buffer>;
}
