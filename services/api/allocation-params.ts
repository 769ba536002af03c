import { isLabelKey, parseFilter, type FilterClause } from './filter.js';
import { ParameterError } from './parameter-error.js';
import { checkTextParams } from './text-param.js';
import { resolveWindow, type TimeWindow } from './time-window.js';

export const AGGREGATES = ['cluster', 'node', 'namespace', 'workload', 'controllerKind', 'pod', 'container'] as const;
/** A dimension rows are grouped by; `label` carries its label key (aggregate=label:<key>). */
export interface Aggregate {
  readonly dimension: (typeof AGGREGATES)[number] | 'label';
  readonly labelKey?: string;
}

export const STEPS = ['none', '1h', '1d'] as const;
export type Step = (typeof STEPS)[number];
export const IDLE_MODES = ['hide', 'include', 'share'] as const;
export type IdleMode = (typeof IDLE_MODES)[number];
export const FORMATS = ['json', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

/** A validated /v1/allocation request: what the planner turns into SQL. */
export interface AllocationQuery {
  readonly window: TimeWindow;
  readonly aggregate: readonly Aggregate[];
  readonly step: Step;
  readonly filter: readonly FilterClause[];
  readonly idle: IdleMode;
  readonly format: Format;
}

/** The raw query string of /v1/allocation, after JSON-schema validation (all strings). */
export interface AllocationParams {
  readonly window?: string;
  readonly aggregate?: string;
  readonly step?: string;
  readonly filter?: string;
  readonly idle?: string;
  readonly format?: string;
  /** list (default) or reconciled: reconciled-allocation.ts. */
  readonly costBasis?: string;
}

export const ALLOCATION_DEFAULTS = { window: '24h', aggregate: 'namespace', step: 'none', idle: 'hide', format: 'json' } as const;

/** Compiles query parameters into an AllocationQuery; any bad value throws a ParameterError naming it. */
export function compileAllocationQuery(params: AllocationParams, nowMillis: number): AllocationQuery {
  checkTextParams(params);
  return {
    window: resolveWindow(params.window ?? ALLOCATION_DEFAULTS.window, nowMillis),
    aggregate: parseAggregate(params.aggregate ?? ALLOCATION_DEFAULTS.aggregate),
    step: oneOf('step', params.step ?? ALLOCATION_DEFAULTS.step, STEPS),
    filter: parseFilter(params.filter ?? ''),
    idle: oneOf('idle', params.idle ?? ALLOCATION_DEFAULTS.idle, IDLE_MODES),
    format: oneOf('format', params.format ?? ALLOCATION_DEFAULTS.format, FORMATS),
  };
}

/** Parses "namespace,label:app": dimensions in order, each at most once. */
export function parseAggregate(raw: string, parameter = 'aggregate'): Aggregate[] {
  const items = raw.split(',').map((s) => s.trim());
  if (items.length === 0 || items.some((s) => s === '')) {
    throw new ParameterError(parameter, `${JSON.stringify(raw)} has an empty entry; give dimensions separated by commas`);
  }
  const seen = new Set<string>();
  return items.map((item) => {
    if (seen.has(item)) throw new ParameterError(parameter, `${JSON.stringify(item)} appears twice`);
    seen.add(item);
    if (item.startsWith('label:')) {
      const labelKey = item.slice('label:'.length);
      if (!isLabelKey(labelKey)) throw new ParameterError(parameter, `${JSON.stringify(labelKey)} is not a Kubernetes label key`);
      return { dimension: 'label', labelKey };
    }
    if (!(AGGREGATES as readonly string[]).includes(item)) {
      throw new ParameterError(parameter, `unknown dimension ${JSON.stringify(item)}; expected ${AGGREGATES.join(', ')} or label:<key>`);
    }
    return { dimension: item as Aggregate['dimension'] };
  });
}

/** Checks a value against a fixed list, naming the parameter when it is not in it. */
export function oneOf<T extends string>(parameter: string, raw: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ParameterError(parameter, `${JSON.stringify(raw)} is not one of ${allowed.join(', ')}`);
  }
  return raw as T;
}
