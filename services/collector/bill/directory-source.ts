import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isBillingFileName } from './bill-file-reader.js';
import type { BillSource } from './bill-source.js';
import type { ListedFile } from './delivery-book.js';

/** Billing exports in a local directory (a mounted volume, or files synced from a bucket). */
export function directorySource(directory: string): BillSource {
  const root = resolve(directory);
  return {
    name: pathToFileURL(root).href,
    async list() {
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      const files: ListedFile[] = [];
      for (const entry of entries) {
        if (!entry.isFile() || !isBillingFileName(entry.name)) continue;
        const path = join(entry.parentPath, entry.name);
        const info = await stat(path);
        files.push({ id: pathToFileURL(path).href, folder: pathToFileURL(dirname(path)).href, version: `${Math.round(info.mtimeMs)}-${info.size}`, modifiedMillis: info.mtimeMs });
      }
      return files.sort((a, b) => (a.id < b.id ? -1 : 1));
    },
    open: (id) => Promise.resolve(createReadStream(fileURLToPath(id))),
  };
}
