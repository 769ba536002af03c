import type { AllocationQuery } from './allocation-params.js';
import type { AllocationPlan } from './allocation-planner.js';
import { COST_FIELDS, PROPERTY_OF, type AllocationRow } from './allocation-rows.js';
import { csvLine } from './csv.js';

const METRICS = [
  ...COST_FIELDS,
  'cpuCoresRequestedAvg',
  'cpuCoresUsedAvg',
  'memoryBytesRequestedAvg',
  'memoryBytesUsedAvg',
  'gpuRequestedAvg',
  'cpuEfficiency',
  'memoryEfficiency',
  'totalEfficiency',
  'records',
] as const;

const PROPERTIES = ['cluster', 'node', 'namespace', 'controllerKind', 'controller', 'pod', 'container'] as const;

/** The allocation CSV, a line at a time: its header, and a function rendering one row. */
export interface AllocationCsv {
  readonly header: string;
  line(row: AllocationRow): string;
}

/**
 * The allocation rows as CSV: name, start, end, one column per grouped
 * property (label:<key> for labels), the metrics as in JSON, and the price
 * sources joined by ";". The columns follow from the plan, not from the
 * rows, so the header is written before any row is read.
 */
export function allocationCsv(query: AllocationQuery, plan: AllocationPlan): AllocationCsv {
  const grouped = new Set(plan.keys.flatMap((k) => (k.key === 'label' ? [] : [PROPERTY_OF[k.key]])));
  const properties = PROPERTIES.filter((p) => grouped.has(p));
  const labelKeys = query.aggregate.filter((a) => a.dimension === 'label').map((a) => a.labelKey ?? '');
  return {
    header: csvLine(['name', 'start', 'end', ...properties, ...labelKeys.map((k) => `label:${k}`), ...METRICS, 'priceSources']),
    line: (row) =>
      csvLine([
        row.name,
        row.start,
        row.end,
        ...properties.map((p) => row.properties[p]),
        ...labelKeys.map((k) => row.properties.labels?.[k]),
        ...METRICS.map((m) => row[m]),
        row.priceSources.join(';'),
      ]),
  };
}
