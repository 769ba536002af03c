// Holt-Winters exponential smoothing with a damped trend and weekly
// seasonality, in the error-correction form of the ETS(A,Ad,A) and
// ETS(A,Ad,M) state-space models (Hyndman & Athanasopoulos, "Forecasting:
// Principles and Practice", ch. 8). Additive errors in both, so the two fits
// are compared by their one-step sum of squares over the same observations.
import { nelderMead } from './nelder-mead.js';

/** Days in a season: cost follows the working week. */
export const SEASON_DAYS = 7;

export type Seasonality = 'additive' | 'multiplicative';

/** Smoothing parameters: level α, trend β, season γ, damping φ. */
export interface SmoothingParameters {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly phi: number;
}

/** A fitted model: its parameters, its state after the last observation, and its one-step error. */
export interface FittedModel {
  readonly seasonality: Seasonality;
  readonly parameters: SmoothingParameters;
  readonly level: number;
  readonly trend: number;
  /** Seasonal terms of the next SEASON_DAYS days, the first for the day after the last observation. */
  readonly season: readonly number[];
  /** Standard deviation of the one-step errors (the model's σ). */
  readonly sigma: number;
  /** One-step errors, one per observation. */
  readonly residuals: readonly number[];
  readonly observations: number;
}

/** The forecast of one future day: the mean and the standard deviation of its error. */
export interface ModelForecast {
  readonly mean: number;
  readonly sd: number;
}

// Damping below 0.8 flattens any trend within days; above 0.98 it is hardly damped (as R's forecast::ets bounds it).
const PHI_RANGE = [0.8, 0.98] as const;
const FREE_PARAMETERS = 4;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));

/** Maps four unconstrained numbers into the admissible region 0 < β < α < 1, 0 < γ < 1 − α, φ in PHI_RANGE. */
function toParameters(x: readonly number[]): SmoothingParameters {
  const alpha = 0.01 + 0.98 * sigmoid(x[0] ?? 0);
  return {
    alpha,
    beta: alpha * 0.99 * sigmoid(x[1] ?? 0),
    gamma: (1 - alpha) * 0.99 * sigmoid(x[2] ?? 0),
    phi: PHI_RANGE[0] + (PHI_RANGE[1] - PHI_RANGE[0]) * sigmoid(x[3] ?? 0),
  };
}

function fromParameters(p: SmoothingParameters): number[] {
  return [logit((p.alpha - 0.01) / 0.98), logit(p.beta / (p.alpha * 0.99)), logit(p.gamma / ((1 - p.alpha) * 0.99)), logit((p.phi - PHI_RANGE[0]) / (PHI_RANGE[1] - PHI_RANGE[0]))];
}

const START: SmoothingParameters = { alpha: 0.3, beta: 0.02, gamma: 0.1, phi: 0.92 };

interface InitialState {
  readonly level: number;
  readonly trend: number;
  readonly season: number[];
}

/** Level, trend and season from the first two weeks: the classical decomposition start. */
function initialState(y: readonly number[], seasonality: Seasonality): InitialState {
  const week = (k: number) => y.slice(k * SEASON_DAYS, (k + 1) * SEASON_DAYS);
  const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const first = mean(week(0));
  const second = mean(week(1));
  const season = Array.from({ length: SEASON_DAYS }, (_, i) => {
    const a = y[i] as number;
    const b = y[i + SEASON_DAYS] as number;
    if (seasonality === 'additive') return (a - first + (b - second)) / 2;
    return first > 0 && second > 0 ? (a / first + b / second) / 2 : 1;
  });
  // The first week's mean sits at its middle day; start the level there less the trend to day 0.
  const trend = (second - first) / SEASON_DAYS;
  return { level: first - trend * ((SEASON_DAYS - 1) / 2 + 1), trend, season };
}

interface FilterResult {
  readonly sse: number;
  readonly residuals: number[];
  readonly level: number;
  readonly trend: number;
  readonly season: number[];
}

/** The state before day `index` is observed; `season` is a ring whose head is that day's term. */
type StateVisitor = (index: number, level: number, trend: number, season: readonly number[]) => void;

/** Runs the model over the observations. */
function filter(y: readonly number[], seasonality: Seasonality, p: SmoothingParameters, start: InitialState, visit?: StateVisitor): FilterResult {
  let level = start.level;
  let trend = start.trend;
  const season = [...start.season];
  const residuals: number[] = [];
  let sse = 0;
  for (const [index, value] of y.entries()) {
    visit?.(index, level, trend, season);
    const s = season.shift() as number;
    const base = level + p.phi * trend;
    const predicted = seasonality === 'additive' ? base + s : base * s;
    const error = value - predicted;
    residuals.push(error);
    sse += error * error;
    if (seasonality === 'additive') {
      level = base + p.alpha * error;
      trend = p.phi * trend + p.beta * error;
      season.push(s + p.gamma * error);
    } else {
      // Guard the divisions: a series at zero has no multiplicative season.
      const safeS = Math.abs(s) < 1e-9 ? 1e-9 : s;
      const safeBase = Math.abs(base) < 1e-9 ? 1e-9 : base;
      level = base + (p.alpha * error) / safeS;
      trend = p.phi * trend + (p.beta * error) / safeS;
      season.push(s + (p.gamma * error) / safeBase);
    }
  }
  return { sse, residuals, level, trend, season };
}

/**
 * Fits one seasonality by minimizing the sum of squared one-step errors over
 * the smoothing parameters. Needs at least two whole weeks (the start state).
 */
export function fitHoltWinters(y: readonly number[], seasonality: Seasonality): FittedModel {
  if (y.length < 2 * SEASON_DAYS) throw new Error(`fitHoltWinters needs at least ${2 * SEASON_DAYS} observations, got ${y.length}`);
  if (seasonality === 'multiplicative' && y.some((v) => v <= 0)) throw new Error('a multiplicative season needs positive observations');
  const start = initialState(y, seasonality);
  const objective = (x: readonly number[]) => {
    const sse = filter(y, seasonality, toParameters(x), start).sse;
    return Number.isFinite(sse) ? sse : Number.MAX_VALUE;
  };
  const best = nelderMead(objective, fromParameters(START), { step: 1.5, maxIterations: 300 });
  const parameters = toParameters(best.x);
  const run = filter(y, seasonality, parameters, start);
  const degrees = Math.max(1, y.length - FREE_PARAMETERS);
  return { seasonality, parameters, level: run.level, trend: run.trend, season: run.season, sigma: Math.sqrt(run.sse / degrees), residuals: run.residuals, observations: y.length };
}

/** The better of the additive and the multiplicative fit by one-step sum of squares (same parameter count, so the same as by AIC). */
export function fitBest(y: readonly number[]): FittedModel {
  const additive = fitHoltWinters(y, 'additive');
  if (y.some((v) => v <= 0)) return additive;
  const multiplicative = fitHoltWinters(y, 'multiplicative');
  return multiplicative.sigma < additive.sigma ? multiplicative : additive;
}

/**
 * The model's own h-step forecasts over a series, from every day `from` on:
 * errors[h − 1] holds (actual − forecast) / forecast of each origin with an
 * actual h days later. With the fitted parameters run over the history as it
 * was (level shifts included), these are the errors the model made, which a
 * Gaussian σ alone understates when cost jumps now and then.
 */
export function relativeErrors(y: readonly number[], model: FittedModel, horizon: number, from: number): number[][] {
  const errors: number[][] = Array.from({ length: horizon }, () => []);
  const start = initialState(y, model.seasonality);
  filter(y, model.seasonality, model.parameters, start, (index, level, trend, season) => {
    if (index < from) return;
    const path = forecastModel({ ...model, level, trend, season }, Math.min(horizon, y.length - index));
    path.forEach(({ mean }, h) => {
      if (mean > 0) errors[h]?.push(((y[index + h] as number) - mean) / mean);
    });
  });
  return errors;
}

/**
 * Forecasts `horizon` days after the last observation. The error's standard
 * deviation at step h is σ·sqrt(1 + Σ_{j<h} c_j²) with c_j = α + β·φ_j + γ·[j a
 * multiple of 7] and φ_j = φ + … + φ^j: exact for the additive season; for the
 * multiplicative one the same weights are the usual first-order approximation.
 */
export function forecastModel(model: FittedModel, horizon: number): ModelForecast[] {
  const out: ModelForecast[] = [];
  const weights = errorWeights(model.parameters, horizon);
  let dampedSum = 0;
  let varianceFactor = 1;
  for (let h = 1; h <= horizon; h++) {
    dampedSum += model.parameters.phi ** h;
    const s = model.season[(h - 1) % SEASON_DAYS] as number;
    const base = model.level + dampedSum * model.trend;
    const mean = model.seasonality === 'additive' ? base + s : base * s;
    if (h > 1) varianceFactor += (weights[h - 2] as number) ** 2;
    out.push({ mean, sd: model.sigma * Math.sqrt(varianceFactor) });
  }
  return out;
}

/** c_1 … c_n: how much one day's error moves the forecast j days later. */
export function errorWeights(p: SmoothingParameters, n: number): number[] {
  const weights: number[] = [];
  let phiSum = 0;
  for (let j = 1; j <= n; j++) {
    phiSum += p.phi ** j;
    weights.push(p.alpha + p.beta * phiSum + (j % SEASON_DAYS === 0 ? p.gamma : 0));
  }
  return weights;
}

/**
 * Standard deviation of the error of the sum of the next `days` forecasts:
 * day k's innovation reaches every later day through the weights, so
 * Var = σ² Σ_k (1 + Σ_{j ≤ days−k} c_j)².
 */
export function sumErrorSd(model: FittedModel, days: number): number {
  const weights = errorWeights(model.parameters, days);
  const cumulative: number[] = [0];
  for (const w of weights) cumulative.push((cumulative.at(-1) as number) + w);
  let variance = 0;
  for (let k = 1; k <= days; k++) variance += (1 + (cumulative[days - k] as number)) ** 2;
  return model.sigma * Math.sqrt(variance);
}
