import type { SummaryLine } from '../savings/savings-summary.js';
import type { CostApi } from './api-client.js';
import { renderTable, type Column } from './table.js';

export interface SavingsOptions {
  readonly cluster: string;
  readonly output: 'table' | 'json' | 'csv';
}

interface SavingsAnswer {
  readonly totalMonthlySavingsUsd: number;
  readonly recommendations: readonly SummaryLine[];
}

const COLUMNS: ReadonlyArray<Column<SummaryLine>> = [
  { header: 'KIND', value: (l) => l.kind },
  { header: 'TARGET', value: (l) => l.key },
  { header: 'SAVING USD/MO', value: (l) => l.monthlySavingsUsd.toFixed(2), align: 'right' },
  { header: 'COUNTED USD/MO', value: (l) => l.countedMonthlySavingsUsd.toFixed(2), align: 'right' },
  { header: 'CONFIDENCE', value: (l) => (l.kind === ('TOTAL' as never) ? '-' : `${Math.round(l.confidence * 100)}%`), align: 'right' },
  { header: 'RISK', value: (l) => l.risk },
  { header: 'NOTE', value: (l) => l.note ?? '' },
];

/**
 * `kubectl cost savings`: GET /v1/savings as a table, every open
 * recommendation with its saving and the part the total counts, and the
 * total in the last line.
 */
export async function savingsCommand(api: CostApi, options: SavingsOptions): Promise<string> {
  const query = { cluster: options.cluster };
  if (options.output === 'csv') return api.getText('v1/savings', { ...query, format: 'csv' });
  const answer = await api.get<SavingsAnswer>('v1/savings', query);
  if (options.output === 'json') return `${JSON.stringify(answer, null, 2)}\n`;
  if (answer.recommendations.length === 0) return 'No recommendations.\n';
  const total = answer.recommendations.reduce((a, l) => a + l.monthlySavingsUsd, 0);
  const footer = { key: 'all records', kind: 'TOTAL', cluster: '', monthlySavingsUsd: total, countedMonthlySavingsUsd: answer.totalMonthlySavingsUsd, confidence: 0, risk: '-', note: 'each dollar counted once' } as unknown as SummaryLine;
  return renderTable(COLUMNS, answer.recommendations, footer);
}
