-- Stored forecasts, shared by both storage paths: the latest daily cost
-- forecast per cluster (namespace '') and per cluster and namespace, written by
-- `kcost forecast` (services/forecast/forecast-role.ts) after each run, every
-- --every (1 h by default), replacing the previous run in one transaction.
-- Grafana's forecast panel reads it instead of fitting a line in SQL. A series
-- with less than 21 days of history has no rows: no forecast is made up.
CREATE TABLE IF NOT EXISTS cost_forecast (
  cluster text NOT NULL,
  namespace text NOT NULL,
  day timestamptz NOT NULL,
  generated_at timestamptz NOT NULL,
  cost_usd double precision NOT NULL,
  lower80_usd double precision NOT NULL,
  upper80_usd double precision NOT NULL,
  lower95_usd double precision NOT NULL,
  upper95_usd double precision NOT NULL,
  model text NOT NULL,
  PRIMARY KEY (cluster, namespace, day)
);

COMMENT ON TABLE cost_forecast IS 'Latest daily cost forecast per cluster (namespace empty) and per cluster and namespace, from kcost forecast; USD per UTC day with 80 % and 95 % prediction intervals.';
COMMENT ON COLUMN cost_forecast.cluster IS 'Cluster.';
COMMENT ON COLUMN cost_forecast.namespace IS 'Namespace; empty for the forecast of the whole cluster.';
COMMENT ON COLUMN cost_forecast.day IS 'Start of the forecast UTC day.';
COMMENT ON COLUMN cost_forecast.generated_at IS 'When kcost forecast made the forecast (its first day is the UTC day of this instant).';
COMMENT ON COLUMN cost_forecast.cost_usd IS 'Expected cost of the day, USD.';
COMMENT ON COLUMN cost_forecast.lower80_usd IS 'Lower end of the 80 % prediction interval, USD.';
COMMENT ON COLUMN cost_forecast.upper80_usd IS 'Upper end of the 80 % prediction interval, USD.';
COMMENT ON COLUMN cost_forecast.lower95_usd IS 'Lower end of the 95 % prediction interval, USD.';
COMMENT ON COLUMN cost_forecast.upper95_usd IS 'Upper end of the 95 % prediction interval, USD.';
COMMENT ON COLUMN cost_forecast.model IS 'The model and its season: holt-winters-damped-weekly/additive or /multiplicative.';
