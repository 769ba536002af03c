import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { printValue, TemplateEngine, truthy, type TemplateFunction } from './go-template.js';

/**
 * Renders a Helm chart the way `helm template` does, for the subset of
 * templates and Sprig functions the kcost chart uses: values.yaml merged with
 * overrides, .Release/.Chart/.Files, every templates/*.yaml rendered with the
 * defines of templates/*.tpl, and the output split into manifests.
 */
export interface RenderedManifest {
  readonly template: string;
  readonly object: Record<string, unknown>;
}

type Values = Record<string, unknown>;

const isMap = (value: unknown): value is Values => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Helm's coalescing of user values over the chart's: maps merge, everything else replaces. */
export function mergeValues(base: Values, overrides: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = out[key];
    out[key] = isMap(current) && isMap(value) ? mergeValues(current, value) : value;
  }
  return out;
}

const indent = (spaces: number, text: unknown) => {
  const pad = ' '.repeat(spaces);
  return pad + printValue(text).split('\n').join(`\n${pad}`);
};

const empty = (value: unknown) => !truthy(value);

function toYaml(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  return stringify(value, { lineWidth: 0 }).replace(/\n$/, '');
}

function sprintf(format: string, ...args: unknown[]): string {
  let index = 0;
  return format.replace(/%([sdvq%])/g, (_m, verb: string) => {
    if (verb === '%') return '%';
    const arg = args[index++];
    if (verb === 'q') return JSON.stringify(printValue(arg));
    return printValue(arg);
  });
}

/** The Sprig and Helm functions the chart may use; anything else fails the render. */
function functions(): Record<string, TemplateFunction> {
  return {
    toYaml: (v) => toYaml(v),
    toJson: (v) => JSON.stringify(v ?? null),
    fromYaml: (s) => parse(String(s)) as unknown,
    indent: (n, s) => indent(Number(n), s),
    nindent: (n, s) => `\n${indent(Number(n), s)}`,
    quote: (...args) => args.filter((a) => a !== null && a !== undefined).map((a) => JSON.stringify(printValue(a))).join(' '),
    squote: (...args) => args.filter((a) => a !== null && a !== undefined).map((a) => `'${printValue(a)}'`).join(' '),
    default: (fallback, given) => (empty(given) ? fallback : given),
    required: (message, value) => {
      if (value === null || value === undefined || value === '') throw new Error(String(message));
      return value;
    },
    printf: (format, ...args) => sprintf(String(format), ...args),
    trunc: (n, s) => printValue(s).slice(0, Number(n)),
    trim: (s) => printValue(s).trim(),
    trimSuffix: (suffix, s) => {
      const text = printValue(s);
      return text.endsWith(String(suffix)) && String(suffix) !== '' ? text.slice(0, -String(suffix).length) : text;
    },
    trimPrefix: (prefix, s) => {
      const text = printValue(s);
      return text.startsWith(String(prefix)) && String(prefix) !== '' ? text.slice(String(prefix).length) : text;
    },
    contains: (needle, haystack) => printValue(haystack).includes(String(needle)),
    replace: (from, to, s) => printValue(s).split(String(from)).join(String(to)),
    lower: (s) => printValue(s).toLowerCase(),
    upper: (s) => printValue(s).toUpperCase(),
    join: (separator, list) => (Array.isArray(list) ? list.map(printValue).join(String(separator)) : printValue(list)),
    list: (...items) => items,
    dict: (...pairs) => {
      const out: Values = {};
      for (let i = 0; i < pairs.length; i += 2) out[String(pairs[i])] = pairs[i + 1];
      return out;
    },
    get: (map, key) => (isMap(map) ? (map[String(key)] ?? '') : ''),
    hasKey: (map, key) => isMap(map) && String(key) in map,
    eq: (a, ...others) => others.some((b) => a === b),
    ne: (a, b) => a !== b,
    and: (...args) => args.find((a) => !truthy(a)) ?? args[args.length - 1],
    or: (...args) => args.find((a) => truthy(a)) ?? args[args.length - 1],
    not: (a) => !truthy(a),
    empty: (a) => empty(a),
    append: (list, item) => [...(Array.isArray(list) ? (list as unknown[]) : []), item],
    // Sprig's merge: the first map wins, later ones fill in what it lacks.
    merge: (...maps) => maps.reduceRight<Values>((out, map) => mergeValues(out, isMap(map) ? map : {}), {}),
    base: (path) => basename(String(path)),
    sha256sum: (s) => createHash('sha256').update(printValue(s)).digest('hex'),
  };
}

function filesOf(chartDir: string): { Get: TemplateFunction; Glob: TemplateFunction } {
  const all: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) {
        if (entry !== 'templates') walk(path);
      } else {
        all.push(relative(chartDir, path));
      }
    }
  };
  walk(chartDir);
  return {
    Get: (path) => (all.includes(String(path)) ? readFileSync(join(chartDir, String(path)), 'utf8') : ''),
    Glob: (pattern) => {
      const regex = new RegExp(`^${String(pattern).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
      return Object.fromEntries(all.filter((p) => regex.test(p)).map((p) => [p, readFileSync(join(chartDir, p), 'utf8')]));
    },
  };
}

/** What `helm template --api-versions` adds to the cluster's API versions; a cluster with the Prometheus Operator by default. */
export const WITH_PROMETHEUS_OPERATOR: readonly string[] = ['monitoring.coreos.com/v1'];

/** Renders the chart with `overrides` over values.yaml; returns every manifest with the template it came from. */
export function renderChart(
  chartDir: string,
  overrides: Values = {},
  release = { name: 'kcost', namespace: 'kcost' },
  apiVersions: readonly string[] = WITH_PROMETHEUS_OPERATOR,
): RenderedManifest[] {
  const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { name: string; version: string; appVersion: string };
  const values = mergeValues(parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Values, overrides);
  const engine = new TemplateEngine(functions());
  const templateDir = join(chartDir, 'templates');
  const files = readdirSync(templateDir).sort();
  const bodies = new Map<string, ReturnType<TemplateEngine['add']>>();
  for (const file of files) {
    const nodes = engine.add(readFileSync(join(templateDir, file), 'utf8'), file);
    if (file.endsWith('.yaml')) bodies.set(file, nodes);
  }
  const root = {
    Values: values,
    Release: { Name: release.name, Namespace: release.namespace, Service: 'Helm', IsInstall: true, IsUpgrade: false, Revision: 1 },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
    Files: filesOf(chartDir),
    // Helm's built-in API versions are those of the cluster; only the optional ones matter to the chart.
    Capabilities: { APIVersions: { Has: (version: unknown) => apiVersions.some((v) => v === version || String(version).startsWith(`${v}/`)) } },
  };
  const manifests: RenderedManifest[] = [];
  for (const [file, nodes] of bodies) {
    const text = engine.render(nodes, root);
    for (const document of parseAllDocuments(text)) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}\n${text}`);
      const object = document.toJS() as Record<string, unknown> | null;
      if (object !== null && object !== undefined) manifests.push({ template: file, object });
    }
  }
  return manifests;
}
