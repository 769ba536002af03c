import { execFileSync } from 'node:child_process';

/** Path of promtool (Debian's prometheus package), or undefined where it is not installed. */
export function promtool(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
