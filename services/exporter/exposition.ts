// The Prometheus text exposition format, version 0.0.4: how one sample line,
// a label set and a family's HELP/TYPE header are written.
// https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details

/** Content type of a /metrics body in the text format. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'gauge' | 'counter';

const LABEL_ESCAPES = /[\\"\n]/g;
// A separate non-global pattern for the test: a /g pattern's test() keeps lastIndex between calls.
const NEEDS_ESCAPE = /[\\"\n]/;
const HELP_ESCAPES = /[\\\n]/g;
const ESCAPED: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n' };

/** A label value as it goes between the quotes: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return NEEDS_ESCAPE.test(value) ? value.replace(LABEL_ESCAPES, (c) => ESCAPED[c] ?? c) : value;
}

/** HELP text: backslash and line feed escaped (quotes stay as they are). */
export function escapeHelp(text: string): string {
  return text.replace(HELP_ESCAPES, (c) => ESCAPED[c] ?? c);
}

/**
 * The `{name="value",...}` part of a sample line, names in the order given.
 * Names are fixed by kcost (valid identifiers); only values come from records.
 */
export function renderLabels(names: readonly string[], values: readonly string[]): string {
  const parts: string[] = ['{'];
  for (let i = 0; i < names.length; i++) parts.push(i > 0 ? ',' : '', names[i] ?? '', '="', escapeLabelValue(values[i] ?? ''), '"');
  parts.push('}');
  // join() gives one flat string: the label set is copied into every sample line rendered later.
  return parts.join('');
}

/** A sample value: Go's float syntax for the non-finite values, shortest round-trip decimal otherwise. */
export function formatValue(value: number): string {
  if (Number.isFinite(value)) return String(value);
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? '+Inf' : '-Inf';
}

/** The HELP and TYPE lines that open a metric family. */
export function renderHeader(name: string, help: string, type: MetricType): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}
