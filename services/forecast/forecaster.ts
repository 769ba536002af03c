// kcost's daily cost forecast: level shifts restarted, then the average of
// two forecasts (the better of an additive and a multiplicative damped
// Holt-Winters fit, and a log-linear weekly regression over the last eight
// weeks), with 80 % and 95 % intervals from the Holt-Winters error variance
// and the model's own multi-step errors.
import { fitBest, forecastModel, relativeErrors, sumErrorSd, SEASON_DAYS, type FittedModel, type Seasonality, type SmoothingParameters } from './holt-winters.js';
import { adjustLevelShifts, type LevelShift } from './level-shift.js';
import { fitSeasonalRegression, forecastRegression, type SeasonalRegression } from './seasonal-regression.js';

/** Days of history a forecast needs: two weeks start the weekly season, a third fits the smoothing. */
export const MIN_HISTORY_DAYS = 3 * SEASON_DAYS;

/** Standard normal quantiles of the two intervals' upper ends. */
const Z80 = 1.2815515655446004;
const Z95 = 1.959963984540054;

/** One forecast day: the expected cost and the two prediction intervals (never below zero: cost is not negative). */
export interface ForecastPoint {
  readonly mean: number;
  readonly lower80: number;
  readonly upper80: number;
  readonly lower95: number;
  readonly upper95: number;
}

/** What the model was, for the answer's `model` field. */
export interface ModelDescription {
  readonly name: string;
  readonly seasonality: Seasonality;
  readonly parameters: SmoothingParameters;
  /** Standard deviation of the one-step errors, in the series' unit. */
  readonly sigma: number;
  readonly historyDays: number;
  /** Level shifts found and restarted from, by index into the history. */
  readonly levelShifts: readonly LevelShift[];
  /** The regression averaged with Holt-Winters; undefined when a day of the window was not positive (Holt-Winters alone then). */
  readonly regression: SeasonalRegression | undefined;
}

export interface DailyForecast {
  readonly ok: true;
  readonly model: ModelDescription;
  readonly points: readonly ForecastPoint[];
  readonly fitted: FittedModel;
}

/** The refusal: too little history, and how much is needed. */
export interface TooShort {
  readonly ok: false;
  readonly historyDays: number;
  readonly neededDays: number;
}

export const MODEL_NAME = 'holt-winters-damped-weekly+log-linear-weekly';

/** Forecasts `horizon` days after the last day of `history` (one value per whole UTC day, oldest first). */
export function forecastDaily(history: readonly number[], horizon: number): DailyForecast | TooShort {
  if (history.length < MIN_HISTORY_DAYS) return { ok: false, historyDays: history.length, neededDays: MIN_HISTORY_DAYS };
  const { adjusted, shifts } = adjustLevelShifts(history);
  const fitted = fitBest(adjusted);
  const errors = relativeErrors(history, fitted, horizon, 2 * SEASON_DAYS);
  const regression = fitSeasonalRegression(adjusted);
  const line = regression ? forecastRegression(regression, horizon) : undefined;
  const points = forecastModel(fitted, horizon).map(({ mean: smoothed, sd }, index) => {
    // The interval's shape is Holt-Winters'; it is moved (relatively) to the combined mean.
    const mean = line ? (smoothed + (line[index] as number)) / 2 : smoothed;
    const relative = smoothed > 0 ? mean / smoothed : 1;
    const near = errors.slice(Math.max(0, index - 3), index + 4).flat();
    const band = (z: number, tail: number) => {
      const gaussian = z * sd;
      if (near.length < 20 || smoothed <= 0) return { lower: smoothed - gaussian, upper: smoothed + gaussian };
      return { lower: Math.min(smoothed - gaussian, smoothed * (1 + quantile(near, tail))), upper: Math.max(smoothed + gaussian, smoothed * (1 + quantile(near, 1 - tail))) };
    };
    const b80 = band(Z80, 0.1);
    const b95 = band(Z95, 0.025);
    const at = (v: number) => Math.max(0, v * relative);
    return { mean: Math.max(0, mean), lower80: at(b80.lower), upper80: at(b80.upper), lower95: at(b95.lower), upper95: at(b95.upper) };
  });
  const model: ModelDescription = { name: MODEL_NAME, seasonality: fitted.seasonality, parameters: fitted.parameters, sigma: fitted.sigma, historyDays: history.length, levelShifts: shifts, regression };
  return { ok: true, model, points, fitted };
}

/** The sum of the first `days` forecast days with its 80 % and 95 % intervals (errors of successive days are correlated; see sumErrorSd). */
export function forecastSum(forecast: DailyForecast, days: number): ForecastPoint {
  const mean = forecast.points.slice(0, days).reduce((sum, p) => sum + p.mean, 0);
  const sd = days > 0 ? sumErrorSd(forecast.fitted, days) : 0;
  return {
    mean,
    lower80: Math.max(0, mean - Z80 * sd),
    upper80: mean + Z80 * sd,
    lower95: Math.max(0, mean - Z95 * sd),
    upper95: mean + Z95 * sd,
  };
}

/** The q-quantile of the values, linearly interpolated. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const low = sorted[below] as number;
  const high = sorted[Math.min(below + 1, sorted.length - 1)] as number;
  return low + (high - low) * (position - below);
}
