import { lstatSync, mkdirSync, symlinkSync, unlinkSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { KcostError, messageOf } from '../errors/kcost-error.js';

/** kubectl runs `kubectl cost …` as the executable named exactly this, found on the PATH. */
export const PLUGIN_NAME = 'kubectl-cost';

export interface InstalledPlugin {
  readonly path: string;
  /** Whether `dir` is on the PATH that was given, i.e. whether kubectl will find the plugin. */
  readonly onPath: boolean;
}

/**
 * Links `<dir>/kubectl-cost` to the plugin entry point `target` (this
 * checkout's or package's bin/kubectl-cost.js). A link rather than a copy,
 * so a rebuild or `git pull` needs no reinstall. An earlier link is
 * replaced; any other file of that name is left alone and reported.
 */
export function installPlugin(dir: string, target: string, pathVariable: string): InstalledPlugin {
  const path = join(dir, PLUGIN_NAME);
  try {
    mkdirSync(dir, { recursive: true });
    const existing = lstatOrNull(path);
    if (existing && !existing.isSymbolicLink()) {
      throw new KcostError('PLUGIN_EXISTS', `${path} exists and is not a link kcost made; remove it or pass another --dir`);
    }
    if (existing) unlinkSync(path);
    symlinkSync(target, path);
  } catch (error) {
    if (error instanceof KcostError) throw error;
    throw new KcostError('PLUGIN_INSTALL_FAILED', `cannot link ${path} to ${target}: ${messageOf(error)}`, { cause: error });
  }
  const onPath = pathVariable.split(delimiter).some((entry) => entry !== '' && resolve(entry) === resolve(dir));
  return { path, onPath };
}

function lstatOrNull(path: string): ReturnType<typeof lstatSync> | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}
