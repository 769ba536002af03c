import { defineRole } from '../cli/role.js';
import { lazyRun } from '../cli/lazy-run.js';
import { apiSettings } from './api-settings.js';

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
  run: lazyRun(() => import('./api-run.js')),
});
