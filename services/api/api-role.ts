import { readFileSync } from 'node:fs';
import pg from 'pg';
import { Registry } from 'prom-client';
import { defineRole } from '../cli/role.js';
import { checkDatabase } from '../db/database-reachable.js';
import { KcostError, messageOf } from '../errors/kcost-error.js';
import { stopOnSignals } from '../lifecycle/shutdown.js';
import { tlsFilesOf } from '../lifecycle/tls-files.js';
import { createLogger } from '../log/logger.js';
import { parseAccessConfig, type AccessConfig } from './access-config.js';
import { watchAccessConfig } from './access-reload.js';
import { apiSettings } from './api-settings.js';
import { build } from './app.js';
import { loadKubeConfig } from '../collector/kube-connection.js';
import { createTokenVerifier, type TokenVerifier } from './jwt-verifier.js';
import { createTokenReviewer } from './token-review.js';
import { openPgCursor } from './pg-cursor.js';

/** `kcost api`: the query API over the kcost database. */
export const apiRole = defineRole({
  name: 'api',
  usage: 'api [flags]',
  summary: 'Serve cost allocation over HTTP (JSON and CSV).',
  description: [
    'Serves GET /v1/allocation (cost by cluster, node, namespace, workload, controller kind, pod, container or label, per hour or day, with idle hidden, included or shared; costBasis=reconciled: as reconciled with the cloud bill by kcost reconcile, with out-of-cluster cost), /v1/nodes, /v1/anomalies, /v1/prices, /v1/recommendations (the latest right-sizing advice per container, as kcost.recommendations.v1 carries it), /v1/savings, /v1/forecast (daily cost forecasts: those kcost forecast stored, others fitted on the request, at most 25 groups) /v1/budgets (configured --budgets and the namespaces\' kcost.io/monthly-budget-usd labels that kcost forecast stored), /v1/focus (FOCUS 1.2 rows, CSV or Parquet, at list prices or costBasis=reconciled) and /v1/approvals (approvals of recommendations, docs/approvals.md) from the kcost database, reading the hourly and daily rollups where the window allows and raw rows otherwise.',
    'The OpenAPI document is at /openapi.json; /healthz, /readyz (database reachable) and /metrics are on the same port. Optional authentication: a shared admin token (--token or --token-file), and with --access-config OIDC tokens and static tokens whose groups map to roles (viewer, engineer, operator, admin) and a scope of namespaces and clusters that every endpoint keeps to (see docs/access.md); groups and static tokens are reloaded when the file changes. HTTPS with --tls-cert-file and --tls-key-file, reloaded when the files change. A per-client rate limit, a URL length limit and a statement timeout. Stops cleanly on SIGTERM.',
    'Under load: at most --max-queries requests read the database at once, of which at most --max-heavy-queries are heavy, so a light query (e.g. a day of namespaces from the hourly rollups) never waits behind heavy ones; each client may have --max-queries-per-client running or waiting. The rest wait in a queue of --max-queued-queries for up to --queue-timeout; beyond that: 429 with Retry-After. Rows are read from a database cursor in batches and large JSON and CSV answers are streamed, so memory stays bounded by these limits and --max-rows (with the defaults, under the chart\'s 512 MiB).',
  ].join('\n\n'),
  settings: apiSettings,
  async run(config) {
    const logger = createLogger({ service: 'api', level: config.logLevel });
    if (config.token !== '' && config.tokenFile !== '') throw new KcostError('INVALID_CONFIG', 'give either --token or --token-file, not both');
    let token = config.token;
    if (config.tokenFile !== '') {
      try {
        token = readFileSync(config.tokenFile, 'utf8').trim();
      } catch (error) {
        throw new KcostError('INVALID_CONFIG', `cannot read --token-file ${config.tokenFile}: ${messageOf(error)}`);
      }
      if (token === '') throw new KcostError('INVALID_CONFIG', `--token-file ${config.tokenFile} is empty`);
    }
    const { access, verifier } = loadAccess(config.accessConfig);
    // Groups and static tokens follow the file as it changes (a ConfigMap or Secret update), like the TLS files.
    const watched = access ? watchAccessConfig(config.accessConfig, access, logger) : undefined;
    const reviewer = access?.kubernetes ? createTokenReviewer(loadKubeConfig({ kubeconfig: access.kubernetes.kubeconfig, context: '' }), access.kubernetes.audiences) : undefined;
    const tls = tlsFilesOf(config);
    if (config.maxHeavyQueries >= config.maxQueries) {
      throw new KcostError('INVALID_CONFIG', `--max-heavy-queries (${config.maxHeavyQueries}) must be below --max-queries (${config.maxQueries}), or light queries would wait behind heavy ones`);
    }
    if (config.dbPoolSize < 2 * config.maxQueries + 1) {
      throw new KcostError('INVALID_CONFIG', `--db-pool-size (${config.dbPoolSize}) must be at least 2 × --max-queries + 1 (${2 * config.maxQueries + 1})`);
    }
    // Without its database the API can only answer 503: stop at start and say why instead.
    await checkDatabase(config.databaseUrl);
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: config.dbPoolSize,
      application_name: 'kcost-api',
      statement_timeout: config.queryTimeout,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
    });
    pool.on('error', (error) => logger.warn({ err: error }, 'an idle database connection failed; it was discarded'));
    const app = await build(
      {
        runQuery: async (query) => (await pool.query(query.text, [...query.values])).rows as Array<Record<string, unknown>>,
        openCursor: (query, batchRows) => openPgCursor(pool, query, batchRows),
        ping: async () => void (await pool.query('SELECT 1')),
        clock: Date.now,
        logger,
        registry: new Registry(),
      },
      {
        token,
        ...(watched ? { access: watched.current } : {}),
        ...(verifier ? { verifier } : {}),
        ...(reviewer ? { reviewer } : {}),
        ...(tls ? { tls } : {}),
        maxRows: config.maxRows,
        rateLimitPerMinute: config.rateLimit,
        maxUrlLength: config.maxUrlLength,
        budgets: config.budgets,
        admission: {
          maxQueries: config.maxQueries,
          maxHeavyQueries: config.maxHeavyQueries,
          maxQueriesPerClient: config.maxQueriesPerClient,
          maxQueuedQueries: config.maxQueuedQueries,
          queueTimeoutMillis: config.queueTimeout,
        },
      },
    );
    try {
      const stopped = stopOnSignals(() => app.close(), logger);
      const address = await app.listen({ port: config.port, host: config.host });
      const authentication = [...(token !== '' ? ['shared token'] : []), ...(access?.staticTokens.length ? ['static tokens'] : []), ...(access?.oidc ? [`OIDC ${access.oidc.issuer}`] : []), ...(reviewer ? ['Kubernetes TokenReview'] : [])];
      logger.info({ address, authentication: authentication.length > 0 ? authentication : 'none' }, 'query API listening');
      await stopped;
      return 0;
    } finally {
      watched?.stop();
      await app.close();
      await pool.end();
    }
  },
});

/** The access configuration file and, when it has an oidc section, the verifier of its tokens (with the JWKS file read now, if one is named). */
function loadAccess(path: string): { access?: AccessConfig; verifier?: TokenVerifier } {
  if (path === '') return {};
  const access = parseAccessConfig(readConfigFile(path, '--access-config'), path);
  if (!access.oidc) return { access };
  const jwksFile = access.oidc.jwksFile;
  let jwks;
  if (jwksFile !== undefined) {
    try {
      jwks = JSON.parse(readConfigFile(jwksFile, 'oidc.jwksFile')) as { keys: [] };
    } catch (error) {
      throw error instanceof KcostError ? error : new KcostError('INVALID_CONFIG', `oidc.jwksFile ${jwksFile} is not JSON: ${messageOf(error)}`);
    }
    if (!Array.isArray(jwks.keys)) throw new KcostError('INVALID_CONFIG', `oidc.jwksFile ${jwksFile} has no "keys" list`);
  }
  return { access, verifier: createTokenVerifier(access.oidc, jwks) };
}

function readConfigFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new KcostError('INVALID_CONFIG', `cannot read ${what} ${path}: ${messageOf(error)}`);
  }
}
