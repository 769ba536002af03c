import { readFile, rename, writeFile } from 'node:fs/promises';
import { KcostError } from '../../errors/kcost-error.js';
import type { DeliveryBookState } from './delivery-book.js';

/** Reads the state file; a missing file is an empty book. */
export async function loadState(path: string): Promise<DeliveryBookState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KcostError('STATE_FILE_UNREADABLE', `cannot read --state-file ${path}: ${(error as Error).message}`);
  }
  try {
    const state = JSON.parse(text) as DeliveryBookState;
    if (typeof state.files !== 'object' || typeof state.live !== 'object') throw new Error('files or live is missing');
    return state;
  } catch (error) {
    throw new KcostError('STATE_FILE_UNREADABLE', `--state-file ${path} is not a kcost bill state: ${(error as Error).message}`);
  }
}

/** Writes the state file whole or not at all (write aside, then rename). */
export async function saveState(path: string, state: DeliveryBookState): Promise<void> {
  const aside = `${path}.${process.pid}.tmp`;
  await writeFile(aside, JSON.stringify(state));
  await rename(aside, path);
}
