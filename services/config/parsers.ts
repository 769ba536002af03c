// Parsers turn one raw flag or environment value into a typed setting value.
// Each throws a plain Error saying what it expected; resolveConfig wraps it
// with the setting's name and the offending value.

export type Parser<T> = (raw: string) => T;

export const parseString: Parser<string> = (raw) => raw;

export function parseNonEmpty(raw: string): string {
  if (raw.trim() === '') throw new Error('expected a non-empty value');
  return raw;
}

export function parseInteger(min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> {
  return (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new Error('expected a whole number');
    const value = Number(raw);
    if (value < min || value > max) throw new Error(`expected a whole number from ${min} to ${max}`);
    return value;
  };
}

export function parseNumber(min: number, max = Number.POSITIVE_INFINITY): Parser<number> {
  return (raw) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) throw new Error('expected a number');
    if (value < min || value > max) throw new Error(`expected a number from ${min} to ${max}`);
    return value;
  };
}

export function parseBoolean(raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on', ''].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  throw new Error('expected true or false');
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "1500ms", "60s", "5m", "24h", "7d" (or a bare number of milliseconds) into milliseconds. */
export function parseDurationMillis(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!match) throw new Error('expected a duration such as 500ms, 60s, 5m, 24h or 7d');
  const unit = DURATION_UNITS[match[2] ?? 'ms'] ?? 1;
  return Math.round(Number(match[1]) * unit);
}

/** Comma-separated list with blanks dropped; at least one entry. */
export function parseList(raw: string): string[] {
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new Error('expected a comma-separated list with at least one entry');
  return items;
}

export function parseEnum<T extends string>(allowed: readonly T[]): Parser<T> {
  return (raw) => {
    if (!(allowed as readonly string[]).includes(raw)) throw new Error(`expected one of ${allowed.join(', ')}`);
    return raw as T;
  };
}

export function parseUrl(protocols: readonly string[]): Parser<string> {
  return (raw) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error('expected a URL');
    }
    if (!protocols.includes(url.protocol.replace(/:$/, ''))) throw new Error(`expected a ${protocols.join(' or ')} URL`);
    return raw;
  };
}

/** `host:port` pairs, comma-separated, as Kafka clients take them. */
export function parseBrokers(raw: string): string[] {
  const brokers = parseList(raw);
  for (const broker of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker)) throw new Error(`expected host:port pairs, and "${broker}" is not one`);
  }
  return brokers;
}
