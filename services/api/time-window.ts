import { ParameterError } from './parameter-error.js';

/** A half-open time range [startMillis, endMillis) in epoch milliseconds. */
export interface TimeWindow {
  readonly startMillis: number;
  readonly endMillis: number;
}

export const HOUR_MILLIS = 3_600_000;
export const DAY_MILLIS = 86_400_000;
/** Longest window a query may span: beyond it rollups are kept but a single answer gets too large. */
export const MAX_WINDOW_DAYS = 400;

// RFC 3339 date-time: date, "T" (or space), time, optional fraction, and a zone (Z or ±hh:mm).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** The words and forms `window` accepts, for messages and the OpenAPI description. */
export const WINDOW_FORMS = 'today, yesterday, week, month, <n>h, <n>d (e.g. 24h, 7d, 30d) or an RFC 3339 pair "start,end"';

/**
 * Resolves a `window` parameter against the clock, in UTC.
 * - today, yesterday, week (from Monday), month: whole calendar days, so they
 *   are served from the daily rollups; the current period runs to its end.
 * - <n>h and <n>d: the n hours or days that end at the end of the current hour,
 *   so the window is hour-aligned and served from the hourly rollups (there
 *   is no data after now, so the extra minutes change nothing).
 * - "start,end": exactly that range; rollups serve it only when it falls on
 *   hour or day boundaries, raw rows otherwise.
 */
export function resolveWindow(raw: string, nowMillis: number, parameter = 'window'): TimeWindow {
  const text = raw.trim();
  const today = Math.floor(nowMillis / DAY_MILLIS) * DAY_MILLIS;
  let window: TimeWindow | undefined;
  if (text === 'today') window = { startMillis: today, endMillis: today + DAY_MILLIS };
  else if (text === 'yesterday') window = { startMillis: today - DAY_MILLIS, endMillis: today };
  else if (text === 'week') {
    // 1970-01-01 was a Thursday: (days + 3) % 7 is the number of days since Monday.
    const monday = today - (((Math.floor(today / DAY_MILLIS) + 3) % 7) * DAY_MILLIS);
    window = { startMillis: monday, endMillis: monday + 7 * DAY_MILLIS };
  } else if (text === 'month') {
    const now = new Date(nowMillis);
    window = {
      startMillis: Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1),
      endMillis: Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1),
    };
  } else {
    const relative = /^(\d{1,5})([hd])$/.exec(text);
    if (relative) {
      const amount = Number(relative[1]);
      if (amount === 0) throw new ParameterError(parameter, `${JSON.stringify(raw)} is an empty window`);
      const end = Math.ceil(nowMillis / HOUR_MILLIS) * HOUR_MILLIS;
      window = { startMillis: end - amount * (relative[2] === 'h' ? HOUR_MILLIS : DAY_MILLIS), endMillis: end };
    } else {
      window = parsePair(raw, text, parameter);
    }
  }
  if (window.endMillis - window.startMillis > MAX_WINDOW_DAYS * DAY_MILLIS) {
    throw new ParameterError(parameter, `${JSON.stringify(raw)} spans more than ${MAX_WINDOW_DAYS} days`);
  }
  return window;
}

function parsePair(raw: string, text: string, parameter: string): TimeWindow {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== 2) throw new ParameterError(parameter, `${JSON.stringify(raw)} is not one of ${WINDOW_FORMS}`);
  const [startMillis, endMillis] = parts.map((part) => {
    if (!RFC3339.test(part)) throw new ParameterError(parameter, `${JSON.stringify(part)} is not an RFC 3339 date-time such as 2026-03-01T00:00:00Z`);
    const millis = Date.parse(part);
    if (Number.isNaN(millis)) throw new ParameterError(parameter, `${JSON.stringify(part)} is not a valid date-time`);
    return millis;
  }) as [number, number];
  if (endMillis <= startMillis) throw new ParameterError(parameter, `the end of ${JSON.stringify(raw)} is not after its start`);
  return { startMillis, endMillis };
}

/** Whether both ends of the window fall on multiples of `unitMillis` since the epoch (UTC hours or days). */
export function isAligned(window: TimeWindow, unitMillis: number): boolean {
  return window.startMillis % unitMillis === 0 && window.endMillis % unitMillis === 0;
}
