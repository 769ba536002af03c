-- Recommendations (topic kcost.recommendations.v1, schema Recommendation),
-- shared by both storage paths. recommendation holds the latest advice per key,
-- as the compacted topic does (a tombstone deletes the key); recommendation_history
-- keeps every version the sink received, for how the advice moved. History is
-- a raw table like the others: partitioned by day on plain PostgreSQL (0006's
-- .postgres file), a hypertable on TimescaleDB (its .timescaledb file).

CREATE TABLE IF NOT EXISTS recommendation (
  key text NOT NULL,
  kind text NOT NULL,
  cluster text NOT NULL,
  namespace text,
  workload_kind text,
  workload_name text,
  container text,
  generated_at timestamptz NOT NULL,
  confidence double precision NOT NULL,
  risk text NOT NULL,
  reasons text[] NOT NULL,
  strategy text NOT NULL,
  strategy_parameters jsonb NOT NULL,
  current_monthly_usd double precision NOT NULL,
  recommended_monthly_usd double precision NOT NULL,
  monthly_savings_usd double precision NOT NULL,
  price_sources text[] NOT NULL,
  cpu_action text,
  cpu_current_request_cores double precision,
  cpu_current_limit_cores double precision,
  cpu_recommended_request_cores double precision,
  cpu_recommended_limit_cores double precision,
  cpu_lower_bound_cores double precision,
  cpu_upper_bound_cores double precision,
  memory_action text,
  memory_current_request_bytes double precision,
  memory_current_limit_bytes double precision,
  memory_recommended_request_bytes double precision,
  memory_recommended_limit_bytes double precision,
  memory_lower_bound_bytes double precision,
  memory_upper_bound_bytes double precision,
  hpa jsonb,
  history_hours double precision,
  observed_hours double precision,
  sample_count bigint,
  first_sample_at timestamptz,
  last_sample_at timestamptz,
  oom_kills integer,
  restart_count integer,
  required_history_hours double precision,
  required_samples bigint,
  replicas double precision,
  replicas_after double precision,
  cpu_core_hour_usd double precision,
  memory_gib_hour_usd double precision,
  record jsonb NOT NULL,
  PRIMARY KEY (key)
);

CREATE INDEX IF NOT EXISTS recommendation_savings_idx ON recommendation (monthly_savings_usd DESC, key);
CREATE INDEX IF NOT EXISTS recommendation_workload_idx ON recommendation (cluster, namespace, workload_kind, workload_name);

CREATE TABLE IF NOT EXISTS recommendation_history (
  key text NOT NULL,
  kind text NOT NULL,
  cluster text NOT NULL,
  namespace text,
  workload_kind text,
  workload_name text,
  container text,
  generated_at timestamptz NOT NULL,
  confidence double precision NOT NULL,
  risk text NOT NULL,
  reasons text[] NOT NULL,
  strategy text NOT NULL,
  strategy_parameters jsonb NOT NULL,
  current_monthly_usd double precision NOT NULL,
  recommended_monthly_usd double precision NOT NULL,
  monthly_savings_usd double precision NOT NULL,
  price_sources text[] NOT NULL,
  cpu_action text,
  cpu_current_request_cores double precision,
  cpu_current_limit_cores double precision,
  cpu_recommended_request_cores double precision,
  cpu_recommended_limit_cores double precision,
  cpu_lower_bound_cores double precision,
  cpu_upper_bound_cores double precision,
  memory_action text,
  memory_current_request_bytes double precision,
  memory_current_limit_bytes double precision,
  memory_recommended_request_bytes double precision,
  memory_recommended_limit_bytes double precision,
  memory_lower_bound_bytes double precision,
  memory_upper_bound_bytes double precision,
  hpa jsonb,
  history_hours double precision,
  observed_hours double precision,
  sample_count bigint,
  first_sample_at timestamptz,
  last_sample_at timestamptz,
  oom_kills integer,
  restart_count integer,
  required_history_hours double precision,
  required_samples bigint,
  replicas double precision,
  replicas_after double precision,
  cpu_core_hour_usd double precision,
  memory_gib_hour_usd double precision
) {{PARTITION_BY_DAY(generated_at)}};

CREATE INDEX IF NOT EXISTS recommendation_history_generated_idx ON recommendation_history (generated_at DESC);
CREATE INDEX IF NOT EXISTS recommendation_history_key_idx ON recommendation_history (key, generated_at DESC);

COMMENT ON TABLE recommendation IS 'The latest recommendation per key (topic kcost.recommendations.v1, schema Recommendation): a version replaces the stored one only when its generated_at is not older, and a tombstone deletes the key. record is the whole record as the topic carries it, the shape /v1/recommendations returns.';
COMMENT ON COLUMN recommendation.key IS 'What the advice is about, the topic key: cluster/namespace/Kind/name/container for WORKLOAD_RESOURCES.';
COMMENT ON COLUMN recommendation.kind IS 'Kind of advice: WORKLOAD_RESOURCES (requests, limits and HPA target of one workload container).';
COMMENT ON COLUMN recommendation.cluster IS 'Cluster name.';
COMMENT ON COLUMN recommendation.namespace IS 'Namespace of the workload; NULL for kinds without a workload target.';
COMMENT ON COLUMN recommendation.workload_kind IS 'Kind of the top controller (Deployment, StatefulSet, DaemonSet, CronJob, ...); NULL for kinds without a workload target.';
COMMENT ON COLUMN recommendation.workload_name IS 'Name of the top controller; NULL for kinds without a workload target.';
COMMENT ON COLUMN recommendation.container IS 'Container name; NULL for kinds without a workload target.';
COMMENT ON COLUMN recommendation.generated_at IS 'Event time of the newest usage the advice rests on (not the wall clock).';
COMMENT ON COLUMN recommendation.confidence IS '0..1: the part of the strategy''s history window covered by history.';
COMMENT ON COLUMN recommendation.risk IS 'How likely applying the advice harms the workload: LOW, MEDIUM or HIGH.';
COMMENT ON COLUMN recommendation.reasons IS 'Every reason that applies: OVER_PROVISIONED, UNDER_PROVISIONED, OOM_KILLED, NO_REQUESTS, HPA_MANAGED, INSUFFICIENT_HISTORY.';
COMMENT ON COLUMN recommendation.strategy IS 'Name of the strategy that produced the advice: kcost, vpa, krr-simple or a custom name.';
COMMENT ON COLUMN recommendation.strategy_parameters IS 'Every parameter of the strategy, a flat JSON object (percentiles 0..1, fractions, hours, bytes, cores).';
COMMENT ON COLUMN recommendation.current_monthly_usd IS 'What the target costs a month today, USD per 730-hour month.';
COMMENT ON COLUMN recommendation.recommended_monthly_usd IS 'What it would cost a month with the advice applied, USD.';
COMMENT ON COLUMN recommendation.monthly_savings_usd IS 'current_monthly_usd - recommended_monthly_usd; negative when the advice costs more (an under-provisioned container).';
COMMENT ON COLUMN recommendation.price_sources IS 'Price sources of the rates used (as pod_cost.price_source), or default.';
COMMENT ON COLUMN recommendation.cpu_action IS 'CPU advice: CHANGE (set the recommended values), KEEP (within the strategy''s minimum change) or NONE (no advice); NULL for kinds without a workload target.';
COMMENT ON COLUMN recommendation.cpu_current_request_cores IS 'CPU: Today''s request, in cores.';
COMMENT ON COLUMN recommendation.cpu_current_limit_cores IS 'CPU: Today''s limit, in cores.';
COMMENT ON COLUMN recommendation.cpu_recommended_request_cores IS 'CPU: Recommended request (NULL with action NONE), in cores.';
COMMENT ON COLUMN recommendation.cpu_recommended_limit_cores IS 'CPU: Recommended limit; NULL means no limit (action CHANGE or KEEP) or no advice (NONE), in cores.';
COMMENT ON COLUMN recommendation.cpu_lower_bound_cores IS 'CPU: Below this a request is too small for the history seen; NULL when unbounded, in cores.';
COMMENT ON COLUMN recommendation.cpu_upper_bound_cores IS 'CPU: Above this a request is too large for the history seen; NULL when unbounded, in cores.';
COMMENT ON COLUMN recommendation.memory_action IS 'Memory advice: CHANGE (set the recommended values), KEEP (within the strategy''s minimum change) or NONE (no advice); NULL for kinds without a workload target.';
COMMENT ON COLUMN recommendation.memory_current_request_bytes IS 'Memory: Today''s request, in bytes.';
COMMENT ON COLUMN recommendation.memory_current_limit_bytes IS 'Memory: Today''s limit, in bytes.';
COMMENT ON COLUMN recommendation.memory_recommended_request_bytes IS 'Memory: Recommended request (NULL with action NONE), in bytes.';
COMMENT ON COLUMN recommendation.memory_recommended_limit_bytes IS 'Memory: Recommended limit; NULL means no limit (action CHANGE or KEEP) or no advice (NONE), in bytes.';
COMMENT ON COLUMN recommendation.memory_lower_bound_bytes IS 'Memory: Below this a request is too small for the history seen; NULL when unbounded, in bytes.';
COMMENT ON COLUMN recommendation.memory_upper_bound_bytes IS 'Memory: Above this a request is too large for the history seen; NULL when unbounded, in bytes.';
COMMENT ON COLUMN recommendation.hpa IS 'One JSON object per resource an HPA scales the workload on: {resource, currentTargetUtilizationPercent, recommendedTargetUtilizationPercent (null when the target stays), note}; [] without an HPA.';
COMMENT ON COLUMN recommendation.history_hours IS 'Evidence: first to last sample within the strategy''s window, hours.';
COMMENT ON COLUMN recommendation.observed_hours IS 'Evidence: sum of the sampled windows'' lengths, hours.';
COMMENT ON COLUMN recommendation.sample_count IS 'Evidence: usage samples in the window, over all replicas.';
COMMENT ON COLUMN recommendation.first_sample_at IS 'Evidence: first sample in the window.';
COMMENT ON COLUMN recommendation.last_sample_at IS 'Evidence: last sample in the window.';
COMMENT ON COLUMN recommendation.oom_kills IS 'Evidence: OOM kills seen in the window.';
COMMENT ON COLUMN recommendation.restart_count IS 'Evidence: restarts of the container over its current pods.';
COMMENT ON COLUMN recommendation.required_history_hours IS 'Evidence: history the strategy needs before it advises, hours.';
COMMENT ON COLUMN recommendation.required_samples IS 'Evidence: samples the strategy needs before it advises.';
COMMENT ON COLUMN recommendation.replicas IS 'Pricing: replicas priced today.';
COMMENT ON COLUMN recommendation.replicas_after IS 'Pricing: replicas once the advice is applied (an HPA that keeps its target scales when the request moves).';
COMMENT ON COLUMN recommendation.cpu_core_hour_usd IS 'Pricing: USD per requested core-hour on the nodes the workload ran on.';
COMMENT ON COLUMN recommendation.memory_gib_hour_usd IS 'Pricing: USD per requested GiB-hour on the nodes the workload ran on.';
COMMENT ON COLUMN recommendation.record IS 'The whole Recommendation record as JSON, field names as in schemas/Recommendation.avsc, timestamps in epoch milliseconds.';

COMMENT ON TABLE recommendation_history IS 'Every version of every recommendation the sink received (topic kcost.recommendations.v1), older ones included, in the columns of recommendation: how the advice for a key moved over time.';
COMMENT ON COLUMN recommendation_history.key IS 'What the advice is about, the topic key: cluster/namespace/Kind/name/container for WORKLOAD_RESOURCES.';
COMMENT ON COLUMN recommendation_history.kind IS 'Kind of advice: WORKLOAD_RESOURCES (requests, limits and HPA target of one workload container).';
COMMENT ON COLUMN recommendation_history.cluster IS 'Cluster name.';
COMMENT ON COLUMN recommendation_history.namespace IS 'Namespace of the workload; NULL for kinds without a workload target.';
COMMENT ON COLUMN recommendation_history.workload_kind IS 'Kind of the top controller (Deployment, StatefulSet, DaemonSet, CronJob, ...); NULL for kinds without a workload target.';
COMMENT ON COLUMN recommendation_history.workload_name IS 'Name of the top controller; NULL for kinds without a workload target.';
COMMENT ON COLUMN recommendation_history.container IS 'Container name; NULL for kinds without a workload target.';
COMMENT ON COLUMN recommendation_history.generated_at IS 'Event time of the newest usage the advice rests on (not the wall clock).';
COMMENT ON COLUMN recommendation_history.confidence IS '0..1: the part of the strategy''s history window covered by history.';
COMMENT ON COLUMN recommendation_history.risk IS 'How likely applying the advice harms the workload: LOW, MEDIUM or HIGH.';
COMMENT ON COLUMN recommendation_history.reasons IS 'Every reason that applies: OVER_PROVISIONED, UNDER_PROVISIONED, OOM_KILLED, NO_REQUESTS, HPA_MANAGED, INSUFFICIENT_HISTORY.';
COMMENT ON COLUMN recommendation_history.strategy IS 'Name of the strategy that produced the advice: kcost, vpa, krr-simple or a custom name.';
COMMENT ON COLUMN recommendation_history.strategy_parameters IS 'Every parameter of the strategy, a flat JSON object (percentiles 0..1, fractions, hours, bytes, cores).';
COMMENT ON COLUMN recommendation_history.current_monthly_usd IS 'What the target costs a month today, USD per 730-hour month.';
COMMENT ON COLUMN recommendation_history.recommended_monthly_usd IS 'What it would cost a month with the advice applied, USD.';
COMMENT ON COLUMN recommendation_history.monthly_savings_usd IS 'current_monthly_usd - recommended_monthly_usd; negative when the advice costs more (an under-provisioned container).';
COMMENT ON COLUMN recommendation_history.price_sources IS 'Price sources of the rates used (as pod_cost.price_source), or default.';
COMMENT ON COLUMN recommendation_history.cpu_action IS 'CPU advice: CHANGE (set the recommended values), KEEP (within the strategy''s minimum change) or NONE (no advice); NULL for kinds without a workload target.';
COMMENT ON COLUMN recommendation_history.cpu_current_request_cores IS 'CPU: Today''s request, in cores.';
COMMENT ON COLUMN recommendation_history.cpu_current_limit_cores IS 'CPU: Today''s limit, in cores.';
COMMENT ON COLUMN recommendation_history.cpu_recommended_request_cores IS 'CPU: Recommended request (NULL with action NONE), in cores.';
COMMENT ON COLUMN recommendation_history.cpu_recommended_limit_cores IS 'CPU: Recommended limit; NULL means no limit (action CHANGE or KEEP) or no advice (NONE), in cores.';
COMMENT ON COLUMN recommendation_history.cpu_lower_bound_cores IS 'CPU: Below this a request is too small for the history seen; NULL when unbounded, in cores.';
COMMENT ON COLUMN recommendation_history.cpu_upper_bound_cores IS 'CPU: Above this a request is too large for the history seen; NULL when unbounded, in cores.';
COMMENT ON COLUMN recommendation_history.memory_action IS 'Memory advice: CHANGE (set the recommended values), KEEP (within the strategy''s minimum change) or NONE (no advice); NULL for kinds without a workload target.';
COMMENT ON COLUMN recommendation_history.memory_current_request_bytes IS 'Memory: Today''s request, in bytes.';
COMMENT ON COLUMN recommendation_history.memory_current_limit_bytes IS 'Memory: Today''s limit, in bytes.';
COMMENT ON COLUMN recommendation_history.memory_recommended_request_bytes IS 'Memory: Recommended request (NULL with action NONE), in bytes.';
COMMENT ON COLUMN recommendation_history.memory_recommended_limit_bytes IS 'Memory: Recommended limit; NULL means no limit (action CHANGE or KEEP) or no advice (NONE), in bytes.';
COMMENT ON COLUMN recommendation_history.memory_lower_bound_bytes IS 'Memory: Below this a request is too small for the history seen; NULL when unbounded, in bytes.';
COMMENT ON COLUMN recommendation_history.memory_upper_bound_bytes IS 'Memory: Above this a request is too large for the history seen; NULL when unbounded, in bytes.';
COMMENT ON COLUMN recommendation_history.hpa IS 'One JSON object per resource an HPA scales the workload on: {resource, currentTargetUtilizationPercent, recommendedTargetUtilizationPercent (null when the target stays), note}; [] without an HPA.';
COMMENT ON COLUMN recommendation_history.history_hours IS 'Evidence: first to last sample within the strategy''s window, hours.';
COMMENT ON COLUMN recommendation_history.observed_hours IS 'Evidence: sum of the sampled windows'' lengths, hours.';
COMMENT ON COLUMN recommendation_history.sample_count IS 'Evidence: usage samples in the window, over all replicas.';
COMMENT ON COLUMN recommendation_history.first_sample_at IS 'Evidence: first sample in the window.';
COMMENT ON COLUMN recommendation_history.last_sample_at IS 'Evidence: last sample in the window.';
COMMENT ON COLUMN recommendation_history.oom_kills IS 'Evidence: OOM kills seen in the window.';
COMMENT ON COLUMN recommendation_history.restart_count IS 'Evidence: restarts of the container over its current pods.';
COMMENT ON COLUMN recommendation_history.required_history_hours IS 'Evidence: history the strategy needs before it advises, hours.';
COMMENT ON COLUMN recommendation_history.required_samples IS 'Evidence: samples the strategy needs before it advises.';
COMMENT ON COLUMN recommendation_history.replicas IS 'Pricing: replicas priced today.';
COMMENT ON COLUMN recommendation_history.replicas_after IS 'Pricing: replicas once the advice is applied (an HPA that keeps its target scales when the request moves).';
COMMENT ON COLUMN recommendation_history.cpu_core_hour_usd IS 'Pricing: USD per requested core-hour on the nodes the workload ran on.';
COMMENT ON COLUMN recommendation_history.memory_gib_hour_usd IS 'Pricing: USD per requested GiB-hour on the nodes the workload ran on.';
