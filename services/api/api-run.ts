import { readFileSync } from 'node:fs';
import pg from 'pg';
import { Registry } from 'prom-client';
import type { RoleRun } from '../cli/role.js';
import { checkDatabase } from '../db/database-reachable.js';
import { KcostError, messageOf } from '../errors/kcost-error.js';
import { stopOnSignals } from '../lifecycle/shutdown.js';
import { tlsFilesOf } from '../lifecycle/tls-files.js';
import { createLogger } from '../log/logger.js';
import { parseAccessConfig, type AccessConfig } from './access-config.js';
import { watchAccessConfig } from './access-reload.js';
import type { apiSettings } from './api-settings.js';
import { build } from './app.js';
import { loadKubeConfig } from '../collector/kube-connection.js';
import { createTokenVerifier, type TokenVerifier } from './jwt-verifier.js';
import { createTokenReviewer } from './token-review.js';
import { openPgCursor } from './pg-cursor.js';

/** Runs `kcost api`; its help and settings are in api-role.ts. */
export const run: RoleRun<typeof apiSettings> = async (config) => {
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
};

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
