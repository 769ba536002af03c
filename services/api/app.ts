import swagger from '@fastify/swagger';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as TlsServer } from 'node:tls';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type RawServerDefault } from 'fastify';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { KcostError } from '../errors/kcost-error.js';
import type { Recommendation } from '../codec/records.generated.js';
import { readTlsFiles, reloadOnChange, type TlsFiles } from '../lifecycle/tls-files.js';
import type { Logger } from '../log/logger.js';
import { summarizeSavings } from '../savings/savings-summary.js';
import type { AccessConfig } from './access-config.js';
import { compileAllocationQuery, oneOf, type AllocationParams } from './allocation-params.js';
import { planAllocation } from './allocation-planner.js';
import type { DbRow } from './allocation-rows.js';
import { allocationPieces } from './allocation-stream.js';
import { compileAnomaliesQuery, planAnomalies, toAnomalyRow } from './anomalies-query.js';
import { chunkedBody, jsonPieces } from './body-stream.js';
import { registerApprovalRoutes } from './approval-routes.js';
import { anonymousPrincipal, createAuthenticator, type Principal } from './authenticator.js';
import { csvLine } from './csv.js';
import { errorReply } from './error-reply.js';
import { registerFocusRoutes } from './focus-routes.js';
import { MAX_FITTED_GROUPS, registerForecastRoutes } from './forecast-routes.js';
import type { BudgetDefinition } from './budget-config.js';
import { compileNodesQuery, planNodes, toNodeRow } from './nodes-query.js';
import { ParameterError } from './parameter-error.js';
import { compilePricesQuery, groupPrices, planPrices, type SkuPrices } from './prices-query.js';
import { DEFAULT_ADMISSION, QueryGate, type AdmissionLimits, type Lane } from './query-gate.js';
import { laneOf } from './query-lane.js';
import { RateLimiter } from './rate-limiter.js';
import { COST_BASES, planReconciled, reconciledPieces } from './reconciled-allocation.js';
import { compileRecommendationsQuery, planRecommendations, toRecommendation, toRecommendationCsvRow } from './recommendations-query.js';
import { arrayCursor, RowReader, type RowCursor } from './row-cursor.js';
import { compileSavingsQuery, planSavings, savingsCsvRow, savingsJson, toRecord } from './savings-query.js';
import type { TokenVerifier } from './jwt-verifier.js';
import type { TokenReviewer } from './token-review.js';
import { requireNodeCosts } from './scope.js';
import { ALLOCATION_SCHEMA, ANOMALIES_SCHEMA, HEALTH_SCHEMA, NODES_SCHEMA, PRICES_SCHEMA, READY_SCHEMA, RECOMMENDATIONS_SCHEMA, SAVINGS_SCHEMA } from './schemas.js';
import { textOf, type SqlQuery } from './sql-params.js';
import type { TimeWindow } from './time-window.js';

/** What the API needs from the outside: a way to run statements, a clock, a logger, a metrics registry. */
export interface ApiDeps {
  /** Runs one parameterized statement and returns its rows; what answers are read from without openCursor. */
  readonly runQuery: (query: SqlQuery) => Promise<DbRow[]>;
  /**
   * Opens a cursor over a statement (see pg-cursor.ts), for the answers that
   * can be large: counted first, then read `batchRows` at a time while the
   * answer is written out. Without it, runQuery's rows are read from memory.
   */
  readonly openCursor?: (query: SqlQuery, batchRows: number) => Promise<RowCursor>;
  /** Resolves when the database answers (readiness). */
  readonly ping: () => Promise<void>;
  readonly clock: () => number;
  readonly logger: Logger;
  readonly registry: Registry;
}

export interface ApiConfig {
  /** The shared bearer token: whoever holds it is admin; empty: none. */
  readonly token: string;
  /** Groups, static tokens and OIDC settings (access-config.ts), or a function answering the ones in force (access-reload.ts); absent: only the shared token, if any. */
  readonly access?: AccessConfig | (() => AccessConfig);
  /** Verifies OIDC tokens; given when the access configuration has an oidc section. */
  readonly verifier?: TokenVerifier;
  /** Reviews Kubernetes tokens; given when the access configuration has a kubernetes section. */
  readonly reviewer?: TokenReviewer;
  /** Most rows one answer may hold; a larger result is a 400 asking to narrow the query. */
  readonly maxRows: number;
  /** Requests per minute per client address; 0 turns the limit off. */
  readonly rateLimitPerMinute: number;
  /** Longest request URL (path and query string) accepted. */
  readonly maxUrlLength: number;
  /** How many queries run and wait at once; DEFAULT_ADMISSION when absent. */
  readonly admission?: AdmissionLimits;
  /** Groups /v1/forecast and budgets /v1/budgets may fit on one request (not stored by kcost forecast); MAX_FITTED_GROUPS when absent. */
  readonly maxFittedGroups?: number;
  /** Monthly budgets /v1/budgets reports on (--budgets); none when absent. */
  readonly budgets?: readonly BudgetDefinition[];
  /** Serve HTTPS with these files (read now, and again when they change); absent: HTTP. */
  readonly tls?: TlsFiles;
}

// Rows fetched from the database per batch: what one large answer holds of the driver's rows at a time.
const BATCH_ROWS = 2000;

/** The Fastify instance build() returns. */
export type ApiApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;

const PUBLIC_PATHS = new Set(['/healthz', '/readyz', '/metrics', '/openapi.json']);

/** Builds the query API (not listening): tests call inject() or listen on port 0, the role listens on its port. */
export async function build(deps: ApiDeps, config: ApiConfig): Promise<ApiApp> {
  const authenticate = createAuthenticator({ sharedToken: config.token, ...(config.access ? { access: config.access } : {}), ...(config.verifier ? { verifier: config.verifier } : {}), ...(config.reviewer ? { reviewer: config.reviewer } : {}) });
  // Who made each request, set by the onRequest hook before any handler runs.
  const principals = new WeakMap<FastifyRequest, Principal>();
  const scopeOf = (request: FastifyRequest): Principal => principals.get(request) ?? anonymousPrincipal();
  const app = Fastify({
    loggerInstance: deps.logger,
    // One line per request from the onResponse hook below instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024,
    routerOptions: { maxParamLength: 200 },
    // Unknown parameters must be rejected by name, not silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    // An https.Server handles requests as an http.Server does; Fastify's types tie https to a type of its own, which would change ApiApp for every caller.
    serverFactory: (handler) => (config.tls ? (createHttpsServer(readTlsFiles(config.tls), handler) as unknown as Server) : createHttpServer(handler)),
  });
  if (config.tls) {
    const stopWatching = reloadOnChange(app.server as unknown as TlsServer, config.tls, deps.logger);
    app.addHook('onClose', async () => stopWatching());
  }
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'kcost query API',
        version: '1',
        description: 'Kubernetes cost allocation, node cost, anomalies, prices and recommendations from the kcost database, and approvals of recommendations. Every /v1 read answers JSON, or CSV with format=csv (/v1/focus: FOCUS 1.2 CSV or Parquet); a bad parameter gets a 400 that names it.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: authenticate ? [{ bearer: [] }] : [],
    },
  });

  const gate = new QueryGate(config.admission ?? DEFAULT_ADMISSION, deps.clock);
  const metrics = apiMetrics(deps.registry, gate);
  const limiter = config.rateLimitPerMinute > 0 ? new RateLimiter(config.rateLimitPerMinute, deps.clock) : undefined;

  app.addHook('onRequest', async (request) => {
    if (request.url.length > config.maxUrlLength) throw urlTooLong(request.url, config.maxUrlLength);
    const path = request.url.split('?')[0] ?? '';
    if (PUBLIC_PATHS.has(path)) return;
    if (authenticate) principals.set(request, await authenticate(request.headers.authorization));
    if (limiter) {
      const waitSeconds = limiter.take(request.ip);
      if (waitSeconds > 0) throw Object.assign(new KcostError('RATE_LIMITED', `more than ${config.rateLimitPerMinute} requests per minute; retry in ${waitSeconds} s`), { retryAfter: waitSeconds });
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, status: String(reply.statusCode) });
    metrics.seconds.observe({ route }, reply.elapsedTime / 1000);
    const subject = authenticate ? principals.get(request)?.subject : undefined;
    request.log.info({ method: request.method, route, status: reply.statusCode, millis: Math.round(reply.elapsedTime), ...(subject === undefined ? {} : { subject }) }, 'request');
  });
  app.setErrorHandler(async (error, request, reply) => {
    const { status, body, log } = errorReply(error);
    if (log) request.log.error({ err: error, url: request.url }, 'request failed');
    if (status === 401) void reply.header('www-authenticate', 'Bearer');
    const retryAfter = (error as { retryAfter?: number }).retryAfter;
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    return reply.code(status).type('application/json').send(body);
  });
  app.setNotFoundHandler(async (request, reply) => reply.code(404).send({ error: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` }));

  const tooMany = (parameter: string) => new ParameterError(parameter, `the answer would hold more than ${config.maxRows} rows; narrow the window, filter, or group more coarsely`);
  const openCursor = deps.openCursor ?? (async (query: SqlQuery, batchRows: number) => arrayCursor(await deps.runQuery(query), batchRows));
  /**
   * Cursors over the statements, all closed again if one fails or holds more
   * than maxRows rows (a 400 naming the parameter of its statement), so a
   * refused answer is refused before any of it is written.
   */
  const cursorsOf = async (statements: ReadonlyArray<{ query: SqlQuery; parameter: string }>): Promise<RowCursor[]> => {
    const opened = await Promise.allSettled(statements.map((s) => openCursor(s.query, BATCH_ROWS)));
    const cursors = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const failed = opened.find((o) => o.status === 'rejected');
    const over = failed ? undefined : statements.find((_s, i) => (cursors[i] as RowCursor).rowCount > config.maxRows);
    if (failed || over) {
      await Promise.all(cursors.map((c) => c.close()));
      throw failed ? (failed.reason as Error) : tooMany((over as { parameter: string }).parameter);
    }
    return cursors;
  };
  /**
   * Sends the pieces as a stream and closes the cursors once it is written,
   * or once the response closes: a stream destroyed before it was first read
   * never runs its generator's finally, and its connections must still go back.
   */
  const sendStreamed = (reply: FastifyReply, format: 'json' | 'csv', pieces: AsyncIterable<string>, cursors: readonly RowCursor[]): FastifyReply => {
    const closeAll = () => Promise.all(cursors.map((c) => c.close()));
    reply.raw.once('close', () => void closeAll());
    async function* thenClose(): AsyncGenerator<string> {
      try {
        yield* pieces;
      } finally {
        await closeAll();
      }
    }
    return send(reply, format, thenClose());
  };
  /**
   * Waits for a database slot of the lane (query-gate.ts) and gives it back
   * once the answer has been written out or the client has gone; a request
   * whose client goes away while it waits leaves the queue.
   */
  const admit = async (request: FastifyRequest, reply: FastifyReply, lane: Lane): Promise<void> => {
    const gone = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) gone.abort(new KcostError('CLIENT_GONE', 'the client closed the connection before its answer'));
    });
    const waits = !gate.mayRun(lane);
    let release: () => void;
    try {
      release = await gate.enter(request.ip, lane, gone.signal);
    } catch (error) {
      if (error instanceof KcostError && error.code === 'TOO_BUSY') metrics.busy.inc({ lane });
      throw error;
    }
    if (waits) metrics.waited.inc({ lane });
    reply.raw.once('finish', release);
    reply.raw.once('close', release);
  };

  app.get('/healthz', { schema: HEALTH_SCHEMA }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: READY_SCHEMA }, async (_request, reply) => {
    try {
      await deps.ping();
      return { status: 'ready' };
    } catch (error) {
      return reply.code(503).send({ status: 'unavailable', message: error instanceof Error ? error.message : String(error) });
    }
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => reply.type(deps.registry.contentType).send(await deps.registry.metrics()));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  // Parameters are compiled and planned before a request takes a database
  // slot, so a bad one is refused at once, whatever the load.
  app.get<{ Querystring: AllocationParams }>('/v1/allocation', { schema: ALLOCATION_SCHEMA }, async (request, reply) => {
    const query = compileAllocationQuery(request.query, deps.clock());
    if (query.idle !== 'hide') requireNodeCosts(scopeOf(request), `idle=${query.idle}: idle cost`);
    if (oneOf('costBasis', request.query.costBasis ?? 'list', COST_BASES) === 'reconciled') {
      const statement = planReconciled(query, scopeOf(request), config.maxRows);
      await admit(request, reply, laneOf(query.window, 86_400_000));
      const cursors = await cursorsOf([{ query: statement, parameter: 'aggregate' }]);
      const head = { window: windowJson(query.window), aggregate: query.aggregate.map((a) => a.dimension), step: query.step, idle: query.idle, costBasis: 'reconciled', source: 'reconciled_pod_cost_daily' };
      return sendStreamed(reply, query.format, reconciledPieces(query, head, cursors[0] as RowCursor), cursors);
    }
    const plan = planAllocation(query, config.maxRows, scopeOf(request));
    await admit(request, reply, laneOf(query.window, plan.grainMillis));
    const cursors = await cursorsOf([{ query: plan.query, parameter: 'aggregate' }, ...(plan.idle ? [{ query: plan.idle.query, parameter: 'idle' }] : [])]);
    const [rows, idle] = cursors as [RowCursor, RowCursor | undefined];
    const head = {
      window: windowJson(query.window),
      aggregate: query.aggregate.map((a) => (a.dimension === 'label' ? `label:${a.labelKey ?? ''}` : a.dimension)),
      step: query.step,
      idle: query.idle,
      source: plan.source,
      ...(plan.idle ? { idleSource: plan.idle.source } : {}),
    };
    return sendStreamed(reply, query.format, allocationPieces(query, plan, head, rows, idle), cursors);
  });

  app.get<{ Querystring: Record<string, string> }>('/v1/nodes', { schema: NODES_SCHEMA }, async (request, reply) => {
    const query = compileNodesQuery(request.query, deps.clock());
    requireNodeCosts(scopeOf(request), '/v1/nodes: node cost');
    const plan = planNodes(query, config.maxRows, scopeOf(request));
    await admit(request, reply, laneOf(query.window, plan.grainMillis));
    const cursors = await cursorsOf([{ query: plan.query, parameter: 'window' }]);
    const rows = mapRows(cursors[0] as RowCursor, (row) => toNodeRow(query, plan.stepMillis, row));
    const pieces = query.format === 'csv' ? objectsCsv(rows) : jsonPieces({ window: windowJson(query.window), step: query.step, source: plan.source }, 'rows', rows);
    return sendStreamed(reply, query.format, pieces, cursors);
  });

  // Anomalies and prices read small, indexed tables with a row limit, and stream: light whatever their window.
  app.get<{ Querystring: Record<string, string> }>('/v1/anomalies', { schema: ANOMALIES_SCHEMA }, async (request, reply) => {
    const query = compileAnomaliesQuery(request.query, deps.clock(), config.maxRows);
    await admit(request, reply, 'light');
    // The statement's LIMIT is the request's limit, at most maxRows: never over the cap.
    const cursors = await cursorsOf([{ query: planAnomalies(query, scopeOf(request)), parameter: 'limit' }]);
    const rows = mapRows(cursors[0] as RowCursor, toAnomalyRow);
    return sendStreamed(reply, query.format, query.format === 'csv' ? objectsCsv(rows) : jsonPieces({ window: windowJson(query.window) }, 'rows', rows), cursors);
  });

  app.get<{ Querystring: Record<string, string> }>('/v1/prices', { schema: PRICES_SCHEMA }, async (request, reply) => {
    const query = compilePricesQuery(request.query, deps.clock());
    await admit(request, reply, 'light');
    const cursors = await cursorsOf([{ query: planPrices(query, config.maxRows), parameter: 'window' }]);
    const skus = groupPrices(query, mapRows(cursors[0] as RowCursor, (row) => row));
    const pieces = query.format === 'csv' ? objectsCsv(priceLines(skus)) : jsonPieces({ window: windowJson(query.window) }, 'skus', skus);
    return sendStreamed(reply, query.format, pieces, cursors);
  });

  // One row per target, from a table the size of the cluster's containers, with a row limit: light.
  app.get<{ Querystring: Record<string, string> }>('/v1/recommendations', { schema: RECOMMENDATIONS_SCHEMA }, async (request, reply) => {
    const query = compileRecommendationsQuery(request.query, config.maxRows);
    await admit(request, reply, 'light');
    const cursors = await cursorsOf([{ query: planRecommendations(query, scopeOf(request)), parameter: 'limit' }]);
    const cursor = cursors[0] as RowCursor;
    const pieces = query.format === 'csv' ? objectsCsv(mapRows(cursor, toRecommendationCsvRow)) : jsonPieces({}, 'recommendations', mapRows(cursor, toRecommendation));
    return sendStreamed(reply, query.format, pieces, cursors);
  });

  // Every open recommendation, summed so that no dollar counts twice (savings-summary.ts): bounded by --max-rows like the rest.
  app.get<{ Querystring: Record<string, string> }>('/v1/savings', { schema: SAVINGS_SCHEMA }, async (request, reply) => {
    const query = compileSavingsQuery(request.query);
    await admit(request, reply, 'light');
    const cursors = await cursorsOf([{ query: planSavings(query, scopeOf(request)), parameter: 'cluster' }]);
    const records: Recommendation[] = [];
    for await (const record of mapRows(cursors[0] as RowCursor, toRecord)) records.push(record);
    const summary = summarizeSavings(records);
    const pieces = query.format === 'csv' ? objectsCsv(summary.lines.map(savingsCsvRow)) : (async function* () { yield JSON.stringify(savingsJson(summary)); })();
    return sendStreamed(reply, query.format, pieces, cursors);
  });

  registerForecastRoutes(app, { admit, cursorsOf, clock: deps.clock, maxRows: config.maxRows, maxFittedGroups: config.maxFittedGroups ?? MAX_FITTED_GROUPS, budgets: config.budgets ?? [], scopeOf });
  registerFocusRoutes(app, { admit, cursorsOf, sendCsv: (reply, pieces, cursors) => sendStreamed(reply, 'csv', pieces, cursors), clock: deps.clock, maxRows: config.maxRows, scopeOf });
  registerApprovalRoutes(app, { runQuery: deps.runQuery, admit, clock: deps.clock, maxRows: config.maxRows, principalOf: scopeOf });
  return app;
}

/** The 414 of an overlong URL, naming its longest parameter: most likely the one to fix. */
function urlTooLong(url: string, maxUrlLength: number): KcostError {
  const pairs = (url.split('?')[1] ?? '').split('&');
  const longest = pairs.reduce((a, b) => (b.length > a.length ? b : a), '');
  const raw = longest.split('=')[0] ?? '';
  let parameter: string;
  try {
    parameter = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    parameter = raw;
  }
  if (longest === '') return new KcostError('URL_TOO_LONG', `the request URL is longer than ${maxUrlLength} characters`);
  const message = `the request URL is longer than ${maxUrlLength} characters; its longest parameter is "${parameter}" (${longest.length} characters)`;
  return Object.assign(new KcostError('URL_TOO_LONG', message), { parameter });
}

function windowJson(window: TimeWindow): { start: string; end: string } {
  return { start: new Date(window.startMillis).toISOString(), end: new Date(window.endMillis).toISOString() };
}

// Large answers are written as a stream of chunks (body-stream.ts) instead
// of one string: the response schemas still document them, but Fastify does
// not serialize streams, so the rows must already hold exactly their fields.
function send(reply: FastifyReply, format: 'json' | 'csv', pieces: Iterable<string> | AsyncIterable<string>): FastifyReply {
  return reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8').send(chunkedBody(pieces));
}

/** One flat object per price of each SKU's history, for CSV. */
async function* priceLines(skus: AsyncIterable<SkuPrices>): AsyncGenerator<object> {
  for await (const { current, history, ...sku } of skus) {
    for (const entry of history) yield { ...sku, ...entry, current: entry === current };
  }
}

async function* mapRows<T>(cursor: RowCursor, map: (row: DbRow) => T): AsyncGenerator<T> {
  const reader = new RowReader(cursor);
  for (let row = await reader.peek(); row !== undefined; row = await reader.peek()) {
    reader.take();
    yield map(row);
  }
}

/** Flat objects as CSV lines, columns in the first object's key order; arrays joined by ";". */
async function* objectsCsv(rows: Iterable<object> | AsyncIterable<object>): AsyncGenerator<string> {
  let header: string[] | undefined;
  for await (const row of rows) {
    if (!header) {
      header = Object.keys(row);
      yield csvLine(header);
    }
    yield csvLine(
      header.map((key) => {
        const value = (row as Record<string, unknown>)[key];
        if (Array.isArray(value)) return value.join(';');
        return typeof value === 'number' || typeof value === 'string' || value === null ? value : value === undefined ? undefined : textOf(value);
      }),
    );
  }
  if (!header) yield csvLine([]);
}

function apiMetrics(registry: Registry, gate: QueryGate) {
  new Gauge({
    name: 'kcost_api_queries_running',
    help: 'Requests reading the database now, by lane (heavy: spanning many buckets; light: the rest).',
    labelNames: ['lane'],
    registers: [registry],
    collect() {
      const { running, heavyRunning } = gate.state();
      this.set({ lane: 'heavy' }, heavyRunning);
      this.set({ lane: 'light' }, running - heavyRunning);
    },
  });
  new Gauge({
    name: 'kcost_api_queries_queued',
    help: 'Requests waiting for a database slot.',
    registers: [registry],
    collect() {
      this.set(gate.state().queued);
    },
  });
  return {
    waited: new Counter({ name: 'kcost_api_query_waits_total', help: 'Requests that had to wait for a database slot, by lane.', labelNames: ['lane'], registers: [registry] }),
    busy: new Counter({ name: 'kcost_api_busy_total', help: 'Requests turned away with 429 because the API was busy, by lane.', labelNames: ['lane'], registers: [registry] }),
    requests: new Counter({ name: 'kcost_api_requests_total', help: 'API requests answered, by route and status.', labelNames: ['route', 'status'], registers: [registry] }),
    seconds: new Histogram({
      name: 'kcost_api_request_seconds',
      help: 'Time to answer an API request, by route.',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
