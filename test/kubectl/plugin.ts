import { main } from '../../services/cli/main.js';

export interface PluginRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `kubectl cost <args> <flags>` in this process (the plugin's own entry point), with what it printed. */
export async function runPlugin(args: readonly string[], flags: readonly string[]): Promise<PluginRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(['cost', ...args, ...flags], { env: {}, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** Splits a printed table into records keyed by header (columns are three or more spaces apart). */
export function parseTable(text: string): Array<Record<string, string>> {
  const [header, ...lines] = text.trimEnd().split('\n');
  const names = (header ?? '').trim().split(/ {3,}/);
  return lines.map((line) => Object.fromEntries(line.trim().split(/ {3,}/).map((cell, i) => [names[i] ?? `${i}`, cell])));
}
