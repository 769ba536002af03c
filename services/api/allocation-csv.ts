import type { AllocationQuery } from './allocation-params.js';
import { COST_FIELDS, type AllocationRow } from './allocation-rows.js';
import { toCsv } from './csv.js';

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

/**
 * The allocation rows as CSV: name, start, end, one column per grouped
 * property (label:<key> for labels), the metrics as in JSON, and the price
 * sources joined by ";".
 */
export function allocationCsv(query: AllocationQuery, rows: readonly AllocationRow[]): string {
  const labelKeys = query.aggregate.filter((a) => a.dimension === 'label').map((a) => a.labelKey ?? '');
  const properties = PROPERTIES.filter((p) => rows.some((r) => r.properties[p] !== undefined));
  const header = ['name', 'start', 'end', ...properties, ...labelKeys.map((k) => `label:${k}`), ...METRICS, 'priceSources'];
  return toCsv(
    header,
    rows.map((row) => [
      row.name,
      row.start,
      row.end,
      ...properties.map((p) => row.properties[p]),
      ...labelKeys.map((k) => row.properties.labels?.[k]),
      ...METRICS.map((m) => row[m]),
      row.priceSources.join(';'),
    ]),
  );
}
