import { timingSafeEqual } from 'node:crypto';
import swagger from '@fastify/swagger';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type RawServerDefault } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';
import { KcostError } from '../errors/kcost-error.js';
import type { Logger } from '../log/logger.js';
import { allocationCsv } from './allocation-csv.js';
import { compileAllocationQuery, type AllocationParams } from './allocation-params.js';
import { planAllocation } from './allocation-planner.js';
import { buildAllocationRows, totalsOf, type DbRow } from './allocation-rows.js';
import { compileAnomaliesQuery, planAnomalies, toAnomalyRow } from './anomalies-query.js';
import { toCsv } from './csv.js';
import { errorReply } from './error-reply.js';
import { compileNodesQuery, planNodes, toNodeRow } from './nodes-query.js';
import { ParameterError } from './parameter-error.js';
import { compilePricesQuery, groupPrices, planPrices } from './prices-query.js';
import { RateLimiter } from './rate-limiter.js';
import { ALLOCATION_SCHEMA, ANOMALIES_SCHEMA, HEALTH_SCHEMA, NODES_SCHEMA, PRICES_SCHEMA, READY_SCHEMA } from './schemas.js';
import { textOf, type SqlQuery } from './sql-params.js';
import type { TimeWindow } from './time-window.js';

/** What the API needs from the outside: a way to run statements, a clock, a logger, a metrics registry. */
export interface ApiDeps {
  /** Runs one parameterized statement and returns its rows. */
  readonly runQuery: (query: SqlQuery) => Promise<DbRow[]>;
  /** Resolves when the database answers (readiness). */
  readonly ping: () => Promise<void>;
  readonly clock: () => number;
  readonly logger: Logger;
  readonly registry: Registry;
}

export interface ApiConfig {
  /** Bearer token every /v1 request must carry; empty: no authentication. */
  readonly token: string;
  /** Most rows one answer may hold; a larger result is a 400 asking to narrow the query. */
  readonly maxRows: number;
  /** Requests per minute per client address; 0 turns the limit off. */
  readonly rateLimitPerMinute: number;
  /** Longest request URL (path and query string) accepted. */
  readonly maxUrlLength: number;
}

/** The Fastify instance build() returns. */
export type ApiApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;

const PUBLIC_PATHS = new Set(['/healthz', '/readyz', '/metrics', '/openapi.json']);

/** Builds the query API (not listening): tests call inject() or listen on port 0, the role listens on its port. */
export async function build(deps: ApiDeps, config: ApiConfig): Promise<ApiApp> {
  const app = Fastify({
    loggerInstance: deps.logger,
    // One line per request from the onResponse hook below instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024,
    routerOptions: { maxParamLength: 200 },
    // Unknown parameters must be rejected by name, not silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'kcost query API',
        version: '1',
        description: 'Kubernetes cost allocation, node cost, anomalies and prices from the kcost database. Every /v1 endpoint answers JSON, or CSV with format=csv; a bad parameter gets a 400 that names it.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: config.token === '' ? [] : [{ bearer: [] }],
    },
  });

  const metrics = apiMetrics(deps.registry);
  const limiter = config.rateLimitPerMinute > 0 ? new RateLimiter(config.rateLimitPerMinute, deps.clock) : undefined;
  const expected = Buffer.from(`Bearer ${config.token}`);

  app.addHook('onRequest', async (request) => {
    if (request.url.length > config.maxUrlLength) throw new KcostError('URL_TOO_LONG', `the request URL is longer than ${config.maxUrlLength} characters`);
    const path = request.url.split('?')[0] ?? '';
    if (PUBLIC_PATHS.has(path)) return;
    if (config.token !== '') {
      const given = Buffer.from(request.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new KcostError('UNAUTHORIZED', request.headers.authorization ? 'the bearer token is not valid' : 'this API needs an Authorization: Bearer <token> header');
      }
    }
    if (limiter) {
      const waitSeconds = limiter.take(request.ip);
      if (waitSeconds > 0) throw Object.assign(new KcostError('RATE_LIMITED', `more than ${config.rateLimitPerMinute} requests per minute; retry in ${waitSeconds} s`), { retryAfter: waitSeconds });
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, status: String(reply.statusCode) });
    metrics.seconds.observe({ route }, reply.elapsedTime / 1000);
    request.log.info({ method: request.method, route, status: reply.statusCode, millis: Math.round(reply.elapsedTime) }, 'request');
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

  const rowsOf = async (query: SqlQuery, parameter: string): Promise<DbRow[]> => {
    const rows = await deps.runQuery(query);
    if (rows.length > config.maxRows) {
      throw new ParameterError(parameter, `the answer would hold more than ${config.maxRows} rows; narrow the window, filter, or group more coarsely`);
    }
    return rows;
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

  app.get<{ Querystring: AllocationParams }>('/v1/allocation', { schema: ALLOCATION_SCHEMA }, async (request, reply) => {
    const query = compileAllocationQuery(request.query, deps.clock());
    const plan = planAllocation(query, config.maxRows);
    const [rows, idleRows] = await Promise.all([rowsOf(plan.query, 'aggregate'), plan.idle ? rowsOf(plan.idle.query, 'idle') : Promise.resolve([])]);
    const result = buildAllocationRows(query, plan, rows, idleRows);
    if (query.format === 'csv') return sendCsv(reply, allocationCsv(query, result));
    return {
      window: windowJson(query.window),
      aggregate: query.aggregate.map((a) => (a.dimension === 'label' ? `label:${a.labelKey ?? ''}` : a.dimension)),
      step: query.step,
      idle: query.idle,
      source: plan.source,
      ...(plan.idle ? { idleSource: plan.idle.source } : {}),
      rows: result,
      totals: totalsOf(result),
    };
  });

  app.get<{ Querystring: Record<string, string> }>('/v1/nodes', { schema: NODES_SCHEMA }, async (request, reply) => {
    const query = compileNodesQuery(request.query, deps.clock());
    const plan = planNodes(query, config.maxRows);
    const rows = (await rowsOf(plan.query, 'window')).map((row) => toNodeRow(query, plan.stepMillis, row));
    if (query.format === 'csv') return sendCsv(reply, objectsCsv(rows));
    return { window: windowJson(query.window), step: query.step, source: plan.source, rows };
  });

  app.get<{ Querystring: Record<string, string> }>('/v1/anomalies', { schema: ANOMALIES_SCHEMA }, async (request, reply) => {
    const query = compileAnomaliesQuery(request.query, deps.clock(), config.maxRows);
    const rows = (await deps.runQuery(planAnomalies(query))).map(toAnomalyRow);
    if (query.format === 'csv') return sendCsv(reply, objectsCsv(rows));
    return { window: windowJson(query.window), rows };
  });

  app.get<{ Querystring: Record<string, string> }>('/v1/prices', { schema: PRICES_SCHEMA }, async (request, reply) => {
    const query = compilePricesQuery(request.query, deps.clock());
    const skus = groupPrices(query, await rowsOf(planPrices(query, config.maxRows), 'window'));
    if (query.format === 'csv') {
      const lines = skus.flatMap(({ current, history, ...sku }) => history.map((entry) => ({ ...sku, ...entry, current: entry === current })));
      return sendCsv(reply, objectsCsv(lines));
    }
    return { window: windowJson(query.window), skus };
  });

  return app;
}

function windowJson(window: TimeWindow): { start: string; end: string } {
  return { start: new Date(window.startMillis).toISOString(), end: new Date(window.endMillis).toISOString() };
}

function sendCsv(reply: FastifyReply, text: string): FastifyReply {
  return reply.type('text/csv; charset=utf-8').send(text);
}

/** Flat objects as CSV, columns in the first object's key order; arrays joined by ";". */
function objectsCsv(rows: ReadonlyArray<object>): string {
  const header = rows[0] ? Object.keys(rows[0]) : [];
  return toCsv(
    header,
    rows.map((row) =>
      header.map((key) => {
        const value = (row as Record<string, unknown>)[key];
        if (Array.isArray(value)) return value.join(';');
        return typeof value === 'number' || typeof value === 'string' || value === null ? value : value === undefined ? undefined : textOf(value);
      }),
    ),
  );
}

function apiMetrics(registry: Registry) {
  return {
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
