import type { AllocationRow } from '../api/allocation-rows.js';
import { KcostError } from '../errors/kcost-error.js';
import type { CostApi } from './api-client.js';
import { percent, renderTable, usd, type Column } from './table.js';

/** The fields of an API allocation row the plugin prints, typed by the API's own row. */
export type PrintedRow = Pick<
  AllocationRow,
  'name' | 'cpuCostUsd' | 'memoryCostUsd' | 'gpuCostUsd' | 'storageCostUsd' | 'networkCostUsd' | 'idleCostUsd' | 'totalCostUsd' | 'spotSavingsUsd' | 'cpuEfficiency' | 'memoryEfficiency'
>;

interface AllocationAnswer {
  rows: PrintedRow[];
  totals: Omit<PrintedRow, 'name' | 'cpuEfficiency' | 'memoryEfficiency'>;
}

/** The aggregate each plugin command asks the API for. */
export const AGGREGATE_OF_COMMAND: Readonly<Record<string, string>> = { namespace: 'namespace', workload: 'workload', pod: 'pod', node: 'node' };

export const COLUMNS: ReadonlyArray<Column<PrintedRow>> = [
  { header: 'NAME', value: (r) => r.name },
  { header: 'CPU', value: (r) => usd(r.cpuCostUsd), align: 'right' },
  { header: 'MEMORY', value: (r) => usd(r.memoryCostUsd), align: 'right' },
  { header: 'GPU', value: (r) => usd(r.gpuCostUsd), align: 'right' },
  { header: 'STORAGE', value: (r) => usd(r.storageCostUsd), align: 'right' },
  { header: 'NETWORK', value: (r) => usd(r.networkCostUsd), align: 'right' },
  { header: 'IDLE', value: (r) => usd(r.idleCostUsd), align: 'right' },
  { header: 'TOTAL', value: (r) => usd(r.totalCostUsd), align: 'right' },
  { header: 'SPOT SAVINGS', value: (r) => usd(r.spotSavingsUsd), align: 'right' },
  { header: 'CPU EFF', value: (r) => percent(r.cpuEfficiency), align: 'right' },
  { header: 'MEM EFF', value: (r) => percent(r.memoryEfficiency), align: 'right' },
];

/** A filter-grammar value: quoted, with quotes and backslashes escaped. */
const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export interface AllocationOptions {
  readonly aggregate: string;
  readonly window: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly idle: string;
  readonly output: 'table' | 'json' | 'csv';
}

/** Asks the API for the allocation and renders it: a table (costs in USD over the window, a TOTAL line), the JSON answer, or its CSV. */
export async function allocationCommand(api: CostApi, options: AllocationOptions): Promise<string> {
  const filter = [options.cluster !== '' ? `cluster:${quote(options.cluster)}` : '', options.namespace !== '' ? `namespace:${quote(options.namespace)}` : '']
    .filter((c) => c !== '')
    .join('+');
  const query = { window: options.window, aggregate: options.aggregate, filter, idle: options.idle };
  if (options.output === 'csv') return api.getText('v1/allocation', { ...query, format: 'csv' });
  const answer = await api.get<AllocationAnswer>('v1/allocation', query);
  if (options.output === 'json') return `${JSON.stringify(answer, null, 2)}\n`;
  if (answer.rows.length === 0) return 'No cost in this window.\n';
  return renderTable(COLUMNS, answer.rows, { ...answer.totals, name: 'TOTAL', cpuEfficiency: null, memoryEfficiency: null });
}

/** The aggregate of a command line: `namespace`, `workload`, `pod`, `node` or `label <key>`. */
export function aggregateOf(positionals: readonly string[]): string {
  const [command, key] = positionals;
  if (command === 'label') {
    if (!key) throw new KcostError('INVALID_CONFIG', 'label needs a label key: kubectl cost label <key>');
    return `label:${key}`;
  }
  const aggregate = command === undefined ? undefined : AGGREGATE_OF_COMMAND[command];
  if (!aggregate) throw new KcostError('INVALID_CONFIG', `unknown command ${JSON.stringify(command ?? '')}; use namespace, workload, pod, node, label <key>, estimate, recommendations, savings, forecast, budgets or focus`);
  return aggregate;
}
