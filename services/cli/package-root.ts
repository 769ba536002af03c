import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of kcost's package.json: the checkout, or the installed package.
 * It sits two folders above the sources and three above dist/, so it is
 * found by looking up rather than by a fixed relative path.
 */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && manifestOf(dir).name === 'kcost') return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json of kcost above ${from}`);
  }
}

/** The version in kcost's package.json. */
export function kcostVersion(): string {
  return manifestOf(packageRoot()).version ?? 'unknown';
}

function manifestOf(dir: string): { name?: string; version?: string } {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
}
