import { processSettings } from '../config/common-settings.js';
import { parseDurationMillis, parseInteger, parseString } from '../config/parsers.js';
import { setting } from '../config/settings.js';
import { databaseSettings } from '../db/db-settings.js';

/** Every setting of `kcost api`. */
export const apiSettings = {
  ...databaseSettings,
  logLevel: processSettings.logLevel,
  port: setting('port', {
    description: 'Port the API listens on; it serves /v1/*, /openapi.json, /healthz, /readyz and /metrics (0 picks a free port).',
    default: 8080,
    parse: parseInteger(0, 65535),
  }),
  host: setting('host', {
    description: 'Address the API listens on.',
    default: '0.0.0.0',
    parse: parseString,
  }),
  token: setting('token', {
    description: 'Bearer token every /v1 request must carry (Authorization: Bearer <token>); empty: no authentication. Prefer --token-file for secrets.',
    default: '',
    defaultLabel: '(none: no authentication)',
    parse: parseString,
  }),
  tokenFile: setting('tokenFile', {
    description: 'File holding the bearer token (surrounding whitespace ignored), e.g. a mounted Kubernetes secret. Not together with --token.',
    default: '',
    defaultLabel: '(none)',
    parse: parseString,
  }),
  maxRows: setting('maxRows', {
    description: 'Most rows one answer may hold; a larger result gets a 400 asking to narrow the query.',
    default: 100_000,
    parse: parseInteger(1, 10_000_000),
  }),
  rateLimit: setting('rateLimit', {
    description: 'Requests per minute per client address (a token bucket that allows a burst of one minute); 0 turns the limit off. Over it: 429 with Retry-After.',
    default: 600,
    parse: parseInteger(0, 1_000_000),
  }),
  maxUrlLength: setting('maxUrlLength', {
    description: 'Longest request URL (path and query string) in characters; longer gets 414.',
    default: 8192,
    parse: parseInteger(256, 65_536),
  }),
  queryTimeout: setting('queryTimeout', {
    description: 'Statement timeout of each database query, e.g. 30s; a query that runs longer gets 503.',
    default: 30_000,
    defaultLabel: '30s',
    parse: parseDurationMillis,
  }),
  dbPoolSize: setting('dbPoolSize', {
    description: 'Database connections the API keeps open.',
    default: 8,
    parse: parseInteger(1, 100),
  }),
};
