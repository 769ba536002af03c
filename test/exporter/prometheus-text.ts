import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** One sample of a parsed /metrics body. */
export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** One parsed metric family. */
export interface Family {
  readonly help: string;
  readonly type: string;
  readonly samples: readonly Sample[];
}

/**
 * Parses a /metrics body with a third-party Prometheus text parser (not with
 * kcost's own code), by family name. Throws on a malformed line, on a
 * family that appears twice or on two samples with one label set, which
 * Prometheus would reject too (the parser itself merges such samples).
 */
export function parseExposition(text: string): Map<string, Family> {
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const series = line.slice(0, line.lastIndexOf(' '));
    if (seen.has(series)) throw new Error(`series ${series} appears twice`);
    seen.add(series);
  }
  const families = new Map<string, Family>();
  for (const family of parsePrometheusTextFormat(text)) {
    if (families.has(family.name)) throw new Error(`metric family ${family.name} appears twice`);
    families.set(family.name, {
      help: family.help,
      type: family.type,
      samples: family.metrics.map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) })),
    });
  }
  return families;
}

/** The value of the one sample of `name` whose labels include `labels`; undefined when there is none. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string>): number | undefined {
  const matches = (families.get(name)?.samples ?? []).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matches.length > 1) throw new Error(`${matches.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return matches[0]?.value;
}
