import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TEST_API_CONFIG, useLoadedApi } from './api-harness.js';

// Hostile and random input against every /v1 route and parameter, over the
// database the real sink loaded: whatever the query string, the answer is a
// 200, a 400 that names a parameter of the request, or a 414 for an overlong
// URL. The only 5xx the API may give is the documented 503 of a statement
// that ran past its timeout.

const loaded = useLoadedApi();

const ROUTES = {
  '/v1/allocation': ['window', 'aggregate', 'step', 'filter', 'idle', 'format'],
  '/v1/nodes': ['window', 'step', 'filter', 'format'],
  '/v1/anomalies': ['window', 'scope', 'minSeverity', 'cluster', 'namespace', 'limit', 'format'],
  '/v1/prices': ['window', 'provider', 'region', 'kind', 'sku', 'capacityType', 'format'],
  '/v1/recommendations': ['cluster', 'namespace', 'kind', 'workloadKind', 'workloadName', 'container', 'minSavingUsd', 'risk', 'sort', 'limit', 'format'],
  '/v1/forecast': ['window', 'aggregate', 'filter', 'horizon', 'format'],
  '/v1/budgets': ['window', 'format'],
} as const;
type Route = keyof typeof ROUTES;

/** Percent-encodes every byte but the unreserved ones, as UTF-8 (a lone surrogate becomes U+FFFD, as a browser sends it). */
function encode(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((byte) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

const digits = (min: number, max: number, length: number) => fc.integer({ min, max }).map((n) => String(n).padStart(length, '0'));
const nul = fc.constantFrom('\u0000', 'a\u0000', '\u0000b', 'web\u0000web');
const hostileText = fc.oneof(
  nul,
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '%', '%00', '"', '\\', "'; DROP TABLE pod_cost; --", '\uD800', '\uFFFF', '\u202E', '𝔘𝔫𝔦', 'NaN', '-1', '1e308', '__proto__'),
  fc.integer({ min: 200, max: 6000 }).map((n) => 'x'.repeat(n)),
);

const dateTime = fc
  .tuple(
    fc.oneof(digits(0, 9999, 4), digits(10000, 300000, 5), fc.constantFrom('0000', '1969', '1970', '2026', '9999')),
    digits(0, 19, 2),
    digits(0, 39, 2),
    fc.constantFrom('T', 't', ' ', 'X'),
    digits(0, 29, 2),
    digits(0, 69, 2),
    digits(0, 69, 2),
    fc.constantFrom('', '.5', '.123456789', '.1234567890123'),
    fc.oneof(fc.constantFrom('Z', 'z', '', '+14:00', '-14:00'), fc.tuple(fc.constantFrom('+', '-'), digits(0, 99, 2), digits(0, 99, 2)).map(([s, h, m]) => `${s}${h}:${m}`)),
  )
  .map(([y, mo, d, t, h, mi, s, f, z]) => `${y}-${mo}-${d}${t}${h}:${mi}:${s}${f}${z}`);
const realDateTime = fc.date({ min: new Date('1960-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString());

const window = fc.oneof(
  fc.constantFrom('today', 'yesterday', 'week', 'month', '24h', '7d', '30d', '0h', '401d', '9999-12-31T23:59:59-14:00', '0000-01-01T00:00:00Z,2026-11-01T00:00:00Z'),
  fc.tuple(fc.integer({ min: 0, max: 10_000_000 }), fc.constantFrom('h', 'd', 'm', 'w', '')).map(([n, u]) => `${n}${u}`),
  fc.tuple(fc.oneof(dateTime, realDateTime), fc.oneof(dateTime, realDateTime)).map(([a, b]) => `${a},${b}`),
  fc.tuple(realDateTime, realDateTime, realDateTime).map((parts) => parts.join(',')),
  hostileText,
);

const labelKey = fc.oneof(fc.constantFrom('app', 'team', 'kcost.io/owner', 'a/b/c', '', '-x'), fc.string({ maxLength: 70 }));
const dimension = fc.oneof(fc.constantFrom('cluster', 'node', 'namespace', 'workload', 'controllerKind', 'pod', 'container', 'owner', 'Namespace'), labelKey.map((k) => `label:${k}`));
const aggregate = fc.oneof(fc.array(dimension, { minLength: 1, maxLength: 5 }).map((d) => d.join(',')), hostileText);

const quoted = fc.oneof(fc.constantFrom('web', 'api', 'c1', 'c2', 'n1', 'frontend', ''), hostileText).map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`);
const clause = fc
  .tuple(fc.oneof(fc.constantFrom('cluster', 'node', 'namespace', 'workload', 'controllerKind', 'pod', 'container', 'owner'), labelKey.map((k) => `label[${k}]`)), fc.constantFrom(':', '!:', '=', ''), fc.array(quoted, { minLength: 1, maxLength: 4 }))
  .map(([field, op, values]) => `${field}${op}${values.join(',')}`);
const filter = fc.oneof(fc.array(clause, { minLength: 1, maxLength: 4 }).map((c) => c.join('+')), fc.array(quoted, { minLength: 1, maxLength: 150 }).map((v) => `namespace:${v.join(',')}`), hostileText);

const anyCase = (words: readonly string[]) => fc.tuple(fc.constantFrom(...words), fc.boolean()).map(([w, upper]) => (upper ? w.toUpperCase() : w.toLowerCase()));
const VALUES: Record<string, fc.Arbitrary<string>> = {
  window,
  aggregate,
  filter,
  step: fc.oneof(fc.constantFrom('none', '1h', '1d', '5m', '1H'), hostileText),
  idle: fc.oneof(fc.constantFrom('hide', 'include', 'share', 'spread'), hostileText),
  format: fc.oneof(fc.constantFrom('json', 'csv', 'xml', 'CSV'), hostileText),
  scope: fc.oneof(anyCase(['WORKLOAD', 'NAMESPACE', 'CLUSTER', 'POD']), hostileText),
  minSeverity: fc.oneof(anyCase(['INFO', 'WARNING', 'CRITICAL', 'URGENT']), hostileText),
  cluster: fc.oneof(fc.constantFrom('c1', 'c2'), hostileText),
  namespace: fc.oneof(fc.constantFrom('web', 'api', 'batch'), hostileText),
  limit: fc.oneof(fc.integer({ min: -5, max: 2_000_000 }).map(String), fc.constantFrom('1e3', '0x10', '1.5', '999999999', '9999999999999', ''), hostileText),
  provider: fc.oneof(fc.constantFrom('aws', 'gcp', 'azure', 'unknown'), hostileText),
  region: fc.oneof(fc.constantFrom('us-east-1', 'us-central1'), hostileText),
  kind: fc.oneof(anyCase(['NODE', 'STORAGE', 'GPU', 'NETWORK', 'CPU', 'WORKLOAD_RESOURCES', 'ORPHANED_VOLUME', 'DAEMONSET_ONLY_NODE', 'IDLE_WORKLOAD', 'UNKNOWN']), hostileText),
  workloadKind: fc.oneof(fc.constantFrom('Deployment', 'StatefulSet', 'CronJob', ''), hostileText),
  workloadName: fc.oneof(fc.constantFrom('frontend', 'db', 'nightly'), hostileText),
  container: fc.oneof(fc.constantFrom('app', 'sidecar', 'postgres'), hostileText),
  minSavingUsd: fc.oneof(fc.double().map(String), fc.integer({ min: -1000, max: 1000 }).map(String), fc.constantFrom('1e3', '0x10', '.5', '-', '999999999999.999999999999', 'Infinity'), hostileText),
  risk: fc.oneof(fc.array(anyCase(['LOW', 'MEDIUM', 'HIGH', 'SEVERE']), { minLength: 1, maxLength: 4 }).map((r) => r.join(',')), hostileText),
  sort: fc.oneof(fc.constantFrom('saving', 'confidence', 'generatedAt', 'key', 'cost', 'Saving'), hostileText),
  sku: fc.oneof(fc.constantFrom('m5.large', 'e2-standard-4', 'standard-rwo'), hostileText),
  capacityType: fc.oneof(anyCase(['ON_DEMAND', 'SPOT', 'RESERVED', 'UNKNOWN', 'PREEMPTIBLE']), hostileText),
  horizon: fc.oneof(fc.constantFrom('1d', '7d', '30d', '92d', '93d', '0d', '30', '1w'), hostileText),
};

/** One request: a route, its query pairs (possibly with unknown and repeated names), and a method. */
const request = fc.constantFrom(...(Object.keys(ROUTES) as Route[])).chain((route) => {
  const known = ROUTES[route];
  const pair = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...known).chain((name) => (VALUES[name] as fc.Arbitrary<string>).map((value) => [name, value] as const)) },
    { weight: 1, arbitrary: fc.tuple(fc.oneof(fc.constantFrom('ns', 'Window', '__proto__', 'constructor', '', 'limit', 'sku', 'filter[]'), fc.string({ maxLength: 12 })), fc.string({ maxLength: 12 })) },
  );
  return fc.record({ route: fc.constant(route), pairs: fc.array(pair, { maxLength: 6 }), method: fc.constantFrom('GET', 'GET', 'GET', 'HEAD') });
});

function urlOf(route: string, pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.length === 0 ? route : `${route}?${pairs.map(([name, value]) => `${encode(name)}=${encode(value)}`).join('&')}`;
}

async function check(route: string, pairs: ReadonlyArray<readonly [string, string]>, method: 'GET' | 'HEAD' = 'GET'): Promise<number> {
  const url = urlOf(route, pairs);
  const response = await loaded.api.inject({ method, url });
  const where = `${method} ${url.slice(0, 300)} → ${response.statusCode} ${response.body.slice(0, 300)}`;
  if (response.statusCode === 503) {
    // The one 5xx the API documents: a statement that ran past its timeout.
    const body = response.json<{ error: string; message: string }>();
    expect(body.error, where).toBe('DATABASE_UNAVAILABLE');
    expect(body.message, where).toContain('statement timeout');
  } else if (response.statusCode === 414) {
    expect(url.length, where).toBeGreaterThan(TEST_API_CONFIG.maxUrlLength);
    if (method === 'GET') expect(pairs.map(([name]) => name), where).toContain(response.json<{ parameter?: string }>().parameter);
  } else if (response.statusCode === 422) {
    // A forecast over too little history (the test data spans 32 hours): refused, saying what is needed.
    expect(route, where).toBe('/v1/forecast');
    if (method === 'GET') expect(response.json<{ error: string; message: string }>(), where).toMatchObject({ error: 'INSUFFICIENT_HISTORY', message: expect.stringContaining('21 whole days') as unknown });
  } else if (response.statusCode === 400 && method === 'GET') {
    const body = response.json<{ error: string; parameter?: string; message: string }>();
    expect(body.error, where).toBe('BAD_PARAMETER');
    expect(pairs.map(([name]) => name), where).toContain(body.parameter);
    expect(body.message, where).toContain(`"${body.parameter}"`);
  } else {
    expect([200, 400], where).toContain(response.statusCode);
    if (response.statusCode === 200 && method === 'GET') {
      if (String(response.headers['content-type']).startsWith('text/csv')) expect(response.body.endsWith('\r\n'), where).toBe(true);
      else expect(() => response.json<unknown>(), where).not.toThrow();
    }
  }
  return response.statusCode;
}

describe('the API under fuzzed query strings', () => {
  it('answers thousands of generated requests with 200, a 400 naming a parameter of the request, or 414; never 500', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async ({ route, pairs, method }) => {
        const status = await check(route, pairs, method);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
      { numRuns: 4000 },
    );
    // The generators reach both sides: valid requests that run their SQL, and refused ones.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(200);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(1000);
  }, 120_000);

  const textParams = Object.entries(ROUTES).flatMap(([route, names]) => names.map((name) => [route, name] as const));
  it.each(textParams)('%s: a NUL byte in %s is a 400 naming it', async (route, name) => {
    for (const value of ['\u0000', 'web\u0000', name === 'filter' ? 'namespace:"we\u0000b"' : '24h\u0000']) {
      const response = await loaded.api.inject({ method: 'GET', url: urlOf(route, [[name, value]]) });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json()).toMatchObject({ error: 'BAD_PARAMETER', parameter: name });
    }
  });

  const windowed = Object.entries(ROUTES).filter(([, names]) => (names as readonly string[]).includes('window')).map(([route]) => route);
  it.each(windowed)('%s: windows in years PostgreSQL refuses are a 400 naming window', async (route) => {
    for (const value of ['0000-01-01T00:00:00Z,0000-01-02T00:00:00Z', '9999-12-31T00:00:00Z,9999-12-31T23:59:59-14:00', '2026-10-31T00:00:00Z,+10000-01-01T00:00:00Z']) {
      const response = await loaded.api.inject({ method: 'GET', url: urlOf(route, [['window', value]]) });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json()).toMatchObject({ error: 'BAD_PARAMETER', parameter: 'window' });
    }
  });

  it('still answers the last representable instants from the database', async () => {
    expect(await check('/v1/allocation', [['window', '9999-12-31T00:00:00Z,9999-12-31T23:59:59.999Z']])).toBe(200);
    expect(await check('/v1/prices', [['window', '1970-01-01T00:00:00Z,1970-01-02T00:00:00Z']])).toBe(200);
  });
});
