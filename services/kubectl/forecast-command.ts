import type { SeriesForecastJson } from '../api/forecast-json.js';
import { aggregateOf } from './allocation-command.js';
import type { CostApi } from './api-client.js';
import { renderTable, type Column } from './table.js';

/** The answer of /v1/forecast, as far as the plugin prints it. */
interface ForecastAnswer {
  readonly horizonDays: number;
  readonly series: SeriesForecastJson[];
}

/** One budget of /v1/budgets. */
export interface BudgetLine {
  readonly name: string;
  readonly month: string;
  readonly budgetUsd: number;
  readonly spentUsd: number;
  readonly projectedUsd: number | null;
  readonly projectedLower80: number | null;
  readonly projectedUpper80: number | null;
  readonly projectedRatio: number | null;
  readonly runOutDate: string | null;
  readonly state: 'WITHIN' | 'PROJECTED_OVER' | 'OVER' | 'INSUFFICIENT_HISTORY';
  readonly historyDays: number;
  readonly neededDays: number | null;
}

export interface ForecastOptions {
  readonly history: string;
  readonly horizon: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly output: 'table' | 'json' | 'csv';
}

/** Exit status of `budgets` when a budget is projected over or already over: as `estimate --max-monthly-usd`, for CI and cron. */
export const OVER_BUDGET_EXIT = 3;

const money = (value: number | null | undefined) => (value === null || value === undefined ? '-' : value.toFixed(2));
const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The aggregate of `forecast [cluster|namespace|workload|pod|node|label <key>]`; cluster when none is named. */
export function forecastAggregate(positionals: readonly string[]): string {
  const rest = positionals.slice(1);
  if (rest.length === 0 || rest[0] === 'cluster') return 'cluster';
  return aggregateOf(rest);
}

const FORECAST_COLUMNS: ReadonlyArray<Column<SeriesForecastJson & { horizonDays: number }>> = [
  { header: 'NAME', value: (s) => s.name },
  { header: 'HISTORY', value: (s) => `${s.actuals.length}d`, align: 'right' },
  { header: 'MONTH SO FAR', value: (s) => money(s.monthEnd?.actualUsd), align: 'right' },
  { header: 'PROJECTED MONTH', value: (s) => money(s.monthEnd?.projectedUsd), align: 'right' },
  { header: '80% INTERVAL', value: (s) => (s.monthEnd ? `${money(s.monthEnd.lower80)}-${money(s.monthEnd.upper80)}` : '-'), align: 'right' },
  { header: 'NEXT', value: (s) => (s.forecast.length > 0 ? money(s.forecast.reduce((sum, f) => sum + f.costUsd, 0)) : '-'), align: 'right' },
  { header: 'BACKTEST MAPE', value: (s) => (s.backtest ? `${(s.backtest.mape * 100).toFixed(1)}%` : '-'), align: 'right' },
  { header: 'NOTE', value: noteOf },
];

function noteOf(s: SeriesForecastJson): string {
  if (s.insufficientHistory) return `needs ${s.insufficientHistory.neededDays} days of history, has ${s.insufficientHistory.historyDays}`;
  const shift = s.model?.levelShifts.at(-1);
  return shift ? `level shift ${shift.date} x${shift.ratio.toFixed(2)}` : '';
}

/** `kubectl cost forecast`: per group, the month so far, the projected month with its 80 % interval, the next days' total and the backtested error. */
export async function forecastCommand(api: CostApi, aggregate: string, options: ForecastOptions): Promise<string> {
  const filter = [options.cluster !== '' ? `cluster:${quote(options.cluster)}` : '', options.namespace !== '' ? `namespace:${quote(options.namespace)}` : '']
    .filter((c) => c !== '')
    .join('+');
  const query = { window: options.history, aggregate, filter, horizon: options.horizon };
  if (options.output === 'csv') return api.getText('v1/forecast', { ...query, format: 'csv' });
  const answer = await api.get<ForecastAnswer>('v1/forecast', query);
  if (options.output === 'json') return `${JSON.stringify(answer, null, 2)}\n`;
  const columns = FORECAST_COLUMNS.map((c) => (c.header === 'NEXT' ? { ...c, header: `NEXT ${answer.horizonDays}D` } : c));
  return renderTable(columns, answer.series.map((s) => ({ ...s, horizonDays: answer.horizonDays })));
}

const BUDGET_COLUMNS: ReadonlyArray<Column<BudgetLine>> = [
  { header: 'NAME', value: (b) => b.name },
  { header: 'MONTH', value: (b) => b.month },
  { header: 'BUDGET', value: (b) => money(b.budgetUsd), align: 'right' },
  { header: 'SPENT', value: (b) => money(b.spentUsd), align: 'right' },
  { header: 'PROJECTED', value: (b) => money(b.projectedUsd), align: 'right' },
  { header: 'OF BUDGET', value: (b) => (b.projectedRatio === null ? '-' : `${(b.projectedRatio * 100).toFixed(0)}%`), align: 'right' },
  { header: 'RUNS OUT', value: (b) => b.runOutDate ?? '-' },
  { header: 'STATE', value: (b) => (b.state === 'INSUFFICIENT_HISTORY' ? `INSUFFICIENT_HISTORY (needs ${b.neededDays ?? '?'} days, has ${b.historyDays})` : b.state) },
];

/** `kubectl cost budgets`: every budget the API knows, with the exit status OVER_BUDGET_EXIT when one is over or projected over. */
export async function budgetsCommand(api: CostApi, options: Pick<ForecastOptions, 'history' | 'output'>): Promise<{ text: string; exitCode: number }> {
  const { budgets } = await api.get<{ budgets: BudgetLine[] }>('v1/budgets', { window: options.history });
  const exitCode = budgets.some((b) => b.state === 'OVER' || b.state === 'PROJECTED_OVER') ? OVER_BUDGET_EXIT : 0;
  if (options.output === 'csv') return { text: await api.getText('v1/budgets', { window: options.history, format: 'csv' }), exitCode };
  if (options.output === 'json') return { text: `${JSON.stringify({ budgets }, null, 2)}\n`, exitCode };
  if (budgets.length === 0) return { text: 'No budgets: kcost api --budgets sets them (e.g. namespace/shop=1500).\n', exitCode };
  return { text: renderTable(BUDGET_COLUMNS, budgets), exitCode };
}
