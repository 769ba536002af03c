import { processSettings } from '../config/common-settings.js';
import { parseDurationMillis, parseInteger, parseString } from '../config/parsers.js';
import { setting } from '../config/settings.js';
import { databaseSettings } from '../db/db-settings.js';
import { BUDGETS_FORMS, parseBudgets } from './budget-config.js';
import { DEFAULT_ADMISSION } from './query-gate.js';
import { HEAVY_BUCKETS } from './query-lane.js';

/** Every setting of `kcost api`. */
export const apiSettings = {
  ...databaseSettings,
  logLevel: processSettings.logLevel,
  port: setting('port', {
    description: 'Port the API listens on; it serves /v1/*, /openapi.json, /healthz, /readyz and /metrics (0 picks a free port).',
    default: 8080,
    parse: parseInteger(0, 65535),
  }),
  tlsCertFile: processSettings.tlsCertFile,
  tlsKeyFile: processSettings.tlsKeyFile,
  host: setting('host', {
    description: 'Address the API listens on.',
    default: '0.0.0.0',
    parse: parseString,
  }),
  token: setting('token', {
    description: 'A shared bearer token (Authorization: Bearer <token>) whose holder is admin; with neither this nor --access-config, no authentication. Prefer --token-file for secrets.',
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
  accessConfig: setting('accessConfig', {
    description: 'YAML file of who may use the API and what each may see: OIDC issuer and audience, groups mapped to roles (viewer, engineer, operator, admin) and namespaces, static tokens by SHA-256 (see examples/access.yaml). Works together with --token, which stays admin.',
    default: '',
    defaultLabel: '(none: only --token, if given)',
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
    description: 'Database connections the API keeps open; at least twice --max-queries plus one (an allocation with idle reads two statements at once, and /readyz needs one).',
    default: 2 * DEFAULT_ADMISSION.maxQueries + 1,
    parse: parseInteger(1, 100),
  }),
  maxQueries: setting('maxQueries', {
    description: 'Requests that read the database at once; more wait in a queue. Bounds the memory the API needs: at most this many answers are held at a time.',
    default: DEFAULT_ADMISSION.maxQueries,
    parse: parseInteger(1, 100),
  }),
  maxHeavyQueries: setting('maxHeavyQueries', {
    description: `Of those, heavy ones (spanning more than ${HEAVY_BUCKETS} buckets of the relation they read: 12 h of raw rows, 30 days of hourly rollups); fewer than --max-queries, so light queries never wait behind heavy ones.`,
    default: DEFAULT_ADMISSION.maxHeavyQueries,
    parse: parseInteger(1, 99),
  }),
  maxQueriesPerClient: setting('maxQueriesPerClient', {
    description: 'Requests one client address may have running or waiting at once; more get 429 with Retry-After.',
    default: DEFAULT_ADMISSION.maxQueriesPerClient,
    parse: parseInteger(1, 1000),
  }),
  maxQueuedQueries: setting('maxQueuedQueries', {
    description: 'Requests that may wait for a database slot, all clients together; more get 429 with Retry-After.',
    default: DEFAULT_ADMISSION.maxQueuedQueries,
    parse: parseInteger(0, 10_000),
  }),
  queueTimeout: setting('queueTimeout', {
    description: 'Longest a request waits for a database slot, e.g. 10s; then it gets 429 with Retry-After.',
    default: DEFAULT_ADMISSION.queueTimeoutMillis,
    defaultLabel: `${DEFAULT_ADMISSION.queueTimeoutMillis / 1000}s`,
    parse: parseDurationMillis,
  }),
  budgets: setting('budgets', {
    description: `Monthly budgets GET /v1/budgets reports on: ${BUDGETS_FORMS}. Namespaces' own kcost.io/monthly-budget-usd labels need no entry: kcost forecast stores them, and /v1/budgets lists them too.`,
    default: [],
    defaultLabel: '(none)',
    parse: parseBudgets,
  }),
};
