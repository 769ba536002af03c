import { parseArgs } from 'node:util';
import { KcostError } from '../errors/kcost-error.js';
import type { Parser } from './parsers.js';

/**
 * One configuration setting: a flag `--kebab-name`, environment variables
 * (`KCOST_*` first, then any aliases such as KAFKA_BROKERS), a default and a
 * parser. Values resolve as flag ?? env ?? default.
 */
export interface Setting<T> {
  readonly description: string;
  readonly default: T;
  readonly parse: Parser<T>;
  /** Environment variables read when the flag is absent, in order. */
  readonly env: readonly string[];
  /** A boolean switch: `--name` alone means true. */
  readonly isSwitch?: boolean;
  /** Shown in --help instead of the default (e.g. for secrets or computed defaults). */
  readonly defaultLabel?: string;
}

export type SettingsSpec = Readonly<Record<string, Setting<unknown>>>;

export type ConfigOf<S extends SettingsSpec> = {
  readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never;
};

/** Declares a setting whose environment variable is KCOST_<NAME> (plus any aliases). */
export function setting<T>(
  name: string,
  spec: { description: string; default: T; parse: Parser<T>; envAliases?: string[]; isSwitch?: boolean; defaultLabel?: string },
): Setting<T> {
  return {
    description: spec.description,
    default: spec.default,
    parse: spec.parse,
    env: [envName(name), ...(spec.envAliases ?? [])],
    ...(spec.isSwitch === undefined ? {} : { isSwitch: spec.isSwitch }),
    ...(spec.defaultLabel === undefined ? {} : { defaultLabel: spec.defaultLabel }),
  };
}

export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function envName(key: string): string {
  return `KCOST_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

export interface ResolveInput {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface Resolved<S extends SettingsSpec> {
  readonly config: ConfigOf<S>;
  /** Arguments that are not flags, in order (e.g. `kube` in `kcost collect kube`). */
  readonly positionals: readonly string[];
  readonly help: boolean;
}

/**
 * Resolves every setting once (flag ?? env ?? default), validates it and
 * returns a frozen config. A bad value throws a KcostError (code
 * INVALID_CONFIG) whose message names the flag or variable and the value.
 */
export function resolveConfig<S extends SettingsSpec>(spec: S, input: ResolveInput): Resolved<S> {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const [key, item] of Object.entries(spec)) options[flagName(key)] = { type: item.isSwitch ? 'boolean' : 'string' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...input.argv], options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new KcostError('INVALID_CONFIG', `${(error as Error).message}. Run with --help to list the flags.`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const config: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(spec)) {
    const flag = values[flagName(key)];
    if (flag !== undefined) {
      config[key] = parseOne(item, typeof flag === 'boolean' ? String(flag) : flag, `--${flagName(key)}`);
      continue;
    }
    const envVar = item.env.find((name) => input.env[name] !== undefined && input.env[name] !== '');
    config[key] = envVar === undefined ? item.default : parseOne(item, input.env[envVar] ?? '', envVar);
  }
  return { config: Object.freeze(config) as ConfigOf<S>, positionals: parsed.positionals, help: values.help === true };
}

function parseOne<T>(item: Setting<T>, raw: string, source: string): T {
  try {
    return item.parse(raw);
  } catch (error) {
    throw new KcostError('INVALID_CONFIG', `invalid value ${JSON.stringify(raw)} for ${source}: ${(error as Error).message}`);
  }
}

/** The flag table of --help: each flag, its environment variables, default and meaning. */
export function renderFlags(spec: SettingsSpec): string {
  const rows = Object.entries(spec).map(([key, item]) => {
    const flag = item.isSwitch ? `--${flagName(key)}` : `--${flagName(key)} <value>`;
    const shown = item.defaultLabel ?? formatDefault(item.default);
    return `  ${flag}\n      ${item.description}\n      env: ${item.env.join(', ')}; default: ${shown}`;
  });
  return [...rows, '  --help\n      Print this help and exit.'].join('\n');
}

function formatDefault(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(',');
  if (value === '') return '(empty)';
  return String(value);
}
