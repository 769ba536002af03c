/** A billing file as a source lists it. */
export interface ListedFile {
  /** file:///… or s3://bucket/key */
  readonly id: string;
  /** The folder (prefix) holding it: the parts of one delivery share a folder. */
  readonly folder: string;
  /** S3 ETag, or mtime-size of a local file: a new version means a re-delivery. */
  readonly version: string;
  readonly modifiedMillis: number;
}

/** What is remembered of a file that was read: its version and the billing periods (`account/YYYY-MM-DD/`) it held. */
export interface FileMemory {
  readonly folder: string;
  readonly version: string;
  readonly modifiedMillis: number;
  readonly periods: readonly string[];
}

/** The book as saved in the state file. */
export interface DeliveryBookState {
  readonly files: Readonly<Record<string, FileMemory>>;
  /** Keys on the topic per billing period prefix. */
  readonly live: Readonly<Record<string, readonly string[]>>;
}

/**
 * What kcost collect bill remembers between scans, with no I/O: which
 * version of each file it read, which billing periods each file held, and
 * which line keys are on the topic per billing period. It decides which
 * delivery of a period is in effect and which keys a re-delivery retires.
 *
 * The lines in effect for a billing period are those of the newest delivery
 * folder holding it (newest by its latest file), all of that folder's parts
 * together: providers rewrite a period in place (one folder) or deliver it
 * again in a new folder, and either way the earlier lines are replaced.
 */
export class DeliveryBook {
  private readonly files: Map<string, FileMemory>;
  private readonly live: Map<string, ReadonlySet<string>>;

  constructor(state: DeliveryBookState = { files: {}, live: {} }) {
    this.files = new Map(Object.entries(state.files));
    this.live = new Map(Object.entries(state.live).map(([period, keys]) => [period, new Set(keys)]));
  }

  /** Files that are new or have a new version, and ids of files that are gone. */
  changes(listed: readonly ListedFile[]): { readonly changed: ListedFile[]; readonly removed: string[] } {
    const ids = new Set(listed.map((f) => f.id));
    return {
      changed: listed.filter((f) => this.files.get(f.id)?.version !== f.version),
      removed: [...this.files.keys()].filter((id) => !ids.has(id)),
    };
  }

  /** The periods a file held when it was last read (empty when unknown). */
  periodsOf(id: string): readonly string[] {
    return this.files.get(id)?.periods ?? [];
  }

  /** A copy of the book with the files' new versions and periods, and the removed files forgotten. */
  withFiles(read: ReadonlyArray<{ readonly file: ListedFile; readonly periods: readonly string[] }>, removed: readonly string[]): DeliveryBook {
    const next = new DeliveryBook(this.state());
    for (const id of removed) next.files.delete(id);
    for (const { file, periods } of read) next.files.set(file.id, { folder: file.folder, version: file.version, modifiedMillis: file.modifiedMillis, periods: [...periods] });
    return next;
  }

  /** The files whose lines are in effect for a period, sorted by id; empty when no file holds it any more. */
  delivery(period: string): string[] {
    const holders = [...this.files].filter(([, memory]) => memory.periods.includes(period));
    if (holders.length === 0) return [];
    const newest = new Map<string, number>();
    for (const [, memory] of holders) newest.set(memory.folder, Math.max(newest.get(memory.folder) ?? Number.NEGATIVE_INFINITY, memory.modifiedMillis));
    const [folder] = [...newest].sort(([fa, ma], [fb, mb]) => mb - ma || (fb < fa ? -1 : fb > fa ? 1 : 0))[0] as [string, number];
    return holders
      .filter(([, memory]) => memory.folder === folder)
      .map(([id]) => id)
      .sort();
  }

  /** Records that a period's keys on the topic are now `keys`; returns the keys to retire with tombstones. */
  replace(period: string, keys: ReadonlySet<string>): string[] {
    const retired = [...(this.live.get(period) ?? [])].filter((key) => !keys.has(key)).sort();
    if (keys.size === 0) this.live.delete(period);
    else this.live.set(period, keys);
    return retired;
  }

  state(): DeliveryBookState {
    return {
      files: Object.fromEntries(this.files),
      live: Object.fromEntries([...this.live].map(([period, keys]) => [period, [...keys]])),
    };
  }
}
