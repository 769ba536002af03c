import type { AllocationProperties } from './allocation-rows.js';

/** The answer for one group of /v1/forecast. */
export interface SeriesForecastJson {
  name: string;
  properties: AllocationProperties;
  actuals: Array<{ date: string; costUsd: number }>;
  forecast: Array<{ date: string; costUsd: number; lower80: number; upper80: number; lower95: number; upper95: number }>;
  monthEnd: { month: string; actualUsd: number; forecastDays: number; projectedUsd: number; lower80: number; upper80: number; lower95: number; upper95: number } | null;
  model: {
    name: string;
    seasonality: string;
    alpha: number;
    beta: number;
    gamma: number;
    phi: number;
    sigmaUsd: number;
    historyDays: number;
    levelShifts: Array<{ date: string; ratio: number }>;
  } | null;
  backtest: { horizonDays: number; origins: number; mape: number; mase: number; coverage80: number | null } | null;
  insufficientHistory: { historyDays: number; neededDays: number } | null;
  /** stored: kcost forecast's run of generatedAt; fitted: on this request. */
  source: 'stored' | 'fitted';
  generatedAt: string;
}
