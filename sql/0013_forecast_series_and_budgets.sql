-- What GET /v1/forecast and GET /v1/budgets need beside cost_forecast's days,
-- shared by both storage paths and written by `kcost forecast` in the same
-- transaction as cost_forecast: per stored series its model, backtest and
-- month-end projection (so the API serves a stored forecast without fitting
-- it on the request), and the namespaces' own monthly budgets from their
-- kcost.io/monthly-budget-usd label (the API reads no Kafka topic).
CREATE TABLE IF NOT EXISTS cost_forecast_series (
  cluster text NOT NULL,
  namespace text NOT NULL,
  generated_at timestamptz NOT NULL,
  history_start timestamptz NOT NULL,
  history_end timestamptz NOT NULL,
  horizon_days integer NOT NULL,
  model jsonb NOT NULL,
  month_end jsonb NOT NULL,
  backtest jsonb,
  PRIMARY KEY (cluster, namespace)
);

COMMENT ON TABLE cost_forecast_series IS 'One row per series of cost_forecast: the model and its backtest, and the month-end projection, as GET /v1/forecast answers them.';
COMMENT ON COLUMN cost_forecast_series.cluster IS 'Cluster.';
COMMENT ON COLUMN cost_forecast_series.namespace IS 'Namespace; empty for the whole cluster.';
COMMENT ON COLUMN cost_forecast_series.generated_at IS 'When kcost forecast made the forecast.';
COMMENT ON COLUMN cost_forecast_series.history_start IS 'First UTC day of the history window the model was fitted on.';
COMMENT ON COLUMN cost_forecast_series.history_end IS 'End of the history window (exclusive): the first forecast day.';
COMMENT ON COLUMN cost_forecast_series.horizon_days IS 'Days of cost_forecast rows stored for the series.';
COMMENT ON COLUMN cost_forecast_series.model IS 'The model as /v1/forecast''s model field: name, seasonality, alpha, beta, gamma, phi, sigmaUsd, historyDays, levelShifts.';
COMMENT ON COLUMN cost_forecast_series.month_end IS 'The month-end projection as /v1/forecast''s monthEnd field (USD, with 80 % and 95 % intervals).';
COMMENT ON COLUMN cost_forecast_series.backtest IS 'The per-series backtest as /v1/forecast''s backtest field; NULL under 28 days of history.';
COMMENT ON COLUMN cost_forecast.model IS 'The model and its season: holt-winters-damped-weekly+log-linear-weekly/additive or /multiplicative (holt-winters-damped-weekly/... before migration 0013''s release).';

CREATE TABLE IF NOT EXISTS namespace_budget (
  cluster text NOT NULL,
  namespace text NOT NULL,
  monthly_usd double precision NOT NULL CHECK (monthly_usd > 0),
  observed_at timestamptz NOT NULL,
  PRIMARY KEY (cluster, namespace)
);

COMMENT ON TABLE namespace_budget IS 'Monthly budgets set on namespaces with the kcost.io/monthly-budget-usd label, as kcost forecast last read them from kcost.kube.v1; GET /v1/budgets reports on them beside the configured ones.';
COMMENT ON COLUMN namespace_budget.cluster IS 'Cluster.';
COMMENT ON COLUMN namespace_budget.namespace IS 'Namespace.';
COMMENT ON COLUMN namespace_budget.monthly_usd IS 'Budget, USD per calendar month.';
COMMENT ON COLUMN namespace_budget.observed_at IS 'When the namespace with this label was observed.';

-- Teams' database roles (0010) see only their namespaces' rows here too; a
-- whole-cluster series (namespace '') only with node costs, as in the API.
SELECT kcost_guard_table('cost_forecast_series', 'namespace');
SELECT kcost_guard_table('namespace_budget', 'namespace');
