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
/**
 * The instants a window may start or end at. kcost holds no cost before
 * 1970, and PostgreSQL's timestamptz (like RFC 3339) has no year 0 and no
 * year past 9999 in the form the API writes it, so anything outside is a
 * bad parameter, never a statement the database refuses.
 */
export const EARLIEST_MILLIS = Date.UTC(1970, 0, 1);
export const LATEST_MILLIS = Date.UTC(10000, 0, 1);

// RFC 3339 date-time: date, "T" (or space), time, optional fraction, and a zone (Z or ±hh:mm).
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

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
  const [startMillis, endMillis] = parts.map((part) => parseDateTime(part, parameter)) as [number, number];
  if (endMillis <= startMillis) throw new ParameterError(parameter, `the end of ${JSON.stringify(raw)} is not after its start`);
  return { startMillis, endMillis };
}

/**
 * One RFC 3339 date-time in epoch milliseconds. Every field is checked
 * against its range first: Date.parse alone would roll 2026-02-31 over into
 * March and take 24:00:00 as the next day.
 */
function parseDateTime(part: string, parameter: string): number {
  const match = RFC3339.exec(part);
  if (!match) throw new ParameterError(parameter, `${JSON.stringify(part)} is not an RFC 3339 date-time such as 2026-03-01T00:00:00Z`);
  const [year, month, day, hour, minute, second, , offsetHour, offsetMinute] = match.slice(1).map((f) => (f === undefined ? 0 : Number(f))) as [
    number, number, number, number, number, number, number, number, number,
  ];
  const daysInMonth = month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59 || offsetHour > 23 || offsetMinute > 59) {
    throw new ParameterError(parameter, `${JSON.stringify(part)} is not a valid date-time (a field is out of range)`);
  }
  const millis = Date.parse(part);
  if (Number.isNaN(millis) || millis < EARLIEST_MILLIS || millis >= LATEST_MILLIS) {
    throw new ParameterError(parameter, `${JSON.stringify(part)} is outside 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z`);
  }
  return millis;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Whether both ends of the window fall on multiples of `unitMillis` since the epoch (UTC hours or days). */
export function isAligned(window: TimeWindow, unitMillis: number): boolean {
  return window.startMillis % unitMillis === 0 && window.endMillis % unitMillis === 0;
}
