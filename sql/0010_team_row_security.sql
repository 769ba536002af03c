-- Team-scoped database roles, shared by both storage paths (docs/access.md:
-- "Database roles for teams"). A team's Grafana datasource logs in as a role
-- that sees only the rows of its namespaces, in its clusters, in every
-- relation that carries a namespace; node figures (no namespace) only with
-- node_costs, as the API's nodeCosts. The rule is the API's scope
-- (services/api/scope.ts) written once in SQL, in kcost_scope_condition().
--
-- Fail closed: a role that is not the owner of kcost's tables, not a
-- superuser and not BYPASSRLS sees no row it was not granted. kcost's own
-- roles connect as the owner (the user that ran kcost migrate), so the sink,
-- the API and the other roles see and write everything as before.
--
-- How each path applies the rule: on plain PostgreSQL every namespaced table
-- has a row-level security policy (0010's .postgres file). TimescaleDB refuses
-- row-level security on compressed hypertables and cannot apply it to
-- continuous aggregates, so there the team reads security-barrier views of the
-- same names in the schema kcost_scoped (0010's .timescaledb file) and is
-- granted nothing on the hypertables or aggregates themselves (whose chunks
-- inherit the hypertable's grants but not its policies).

CREATE TABLE IF NOT EXISTS kcost_namespace_grant (
  grantee regrole NOT NULL,
  cluster text NOT NULL,
  namespace text NOT NULL,
  node_costs boolean NOT NULL DEFAULT false,
  PRIMARY KEY (grantee, cluster, namespace)
);

COMMENT ON TABLE kcost_namespace_grant IS 'What each team database role may read: kcost_grant_team() writes it; the scope policies and views read it. A role sees its own rows only.';
COMMENT ON COLUMN kcost_namespace_grant.grantee IS 'The team role (members of it, e.g. a Grafana login, see the same).';
COMMENT ON COLUMN kcost_namespace_grant.cluster IS 'A cluster, or * for every cluster.';
COMMENT ON COLUMN kcost_namespace_grant.namespace IS 'A namespace, or * for every namespace of the cluster.';
COMMENT ON COLUMN kcost_namespace_grant.node_costs IS 'Whether the role also sees the figures of the cluster that belong to no namespace (nodes, idle, cluster-wide anomalies and forecasts).';

ALTER TABLE kcost_namespace_grant ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS kcost_own_grants ON kcost_namespace_grant;
CREATE POLICY kcost_own_grants ON kcost_namespace_grant FOR SELECT USING (pg_has_role(current_user, grantee, 'USAGE'));
GRANT SELECT ON kcost_namespace_grant TO PUBLIC;

-- Whether the caller sees every row: the owner of kcost's tables (and its
-- members), superusers and BYPASSRLS roles, as PostgreSQL's own row security
-- exempts them. The views of the TimescaleDB path need it said explicitly.
CREATE OR REPLACE FUNCTION kcost_sees_everything() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
  SELECT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = current_user AND (r.rolsuper OR r.rolbypassrls))
      OR pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = 'kcost_namespace_grant'::regclass), 'USAGE')
$$;

-- The caller's grants, filtered by current_user explicitly: a view's body
-- reads tables as the view's owner, for whom the table's own policy is off.
-- These functions keep the search_path of the migration, so a caller's own
-- search_path cannot point them at another kcost_namespace_grant. They only
-- read, so they are PARALLEL SAFE: a team's sum over pod_cost keeps the
-- parallel scan the owner's gets.
CREATE OR REPLACE FUNCTION kcost_caller_grants() RETURNS TABLE (cluster text, namespace text, node_costs boolean)
LANGUAGE sql STABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
  SELECT g.cluster, g.namespace, g.node_costs FROM kcost_namespace_grant g WHERE pg_has_role(current_user, g.grantee, 'USAGE')
$$;

-- The scope rule, as SQL over a relation's cluster and namespace columns
-- (namespace NULL for node rows), for the policies and views below and in
-- later migrations. Written out in each policy rather than called per row:
-- PostgreSQL never inlines a SQL function holding a subquery, while here each
-- test is an uncorrelated IN that it hashes once per query, so a sum over
-- millions of rows pays for the grants once (EXISTS without a row reference
-- runs once per query). A NULL or empty namespace is a figure of no
-- namespace: visible with node_costs for the cluster.
CREATE OR REPLACE FUNCTION kcost_scope_condition(cluster_column text, namespace_column text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT replace(replace($rule$(
    (SELECT kcost_sees_everything())
    OR CASE WHEN COALESCE(@namespace, '') = '' THEN
      @cluster IN (SELECT g.cluster FROM kcost_caller_grants() g WHERE g.node_costs)
      OR EXISTS (SELECT 1 FROM kcost_caller_grants() g WHERE g.node_costs AND g.cluster = '*')
    ELSE
      -- One probe turns away a row of a namespace granted nowhere (most rows, for a team).
      (@namespace IN (SELECT g.namespace FROM kcost_caller_grants() g) OR EXISTS (SELECT 1 FROM kcost_caller_grants() g WHERE g.namespace = '*'))
      AND ((@cluster, @namespace) IN (SELECT g.cluster, g.namespace FROM kcost_caller_grants() g)
        OR @namespace IN (SELECT g.namespace FROM kcost_caller_grants() g WHERE g.cluster = '*')
        OR @cluster IN (SELECT g.cluster FROM kcost_caller_grants() g WHERE g.namespace = '*')
        OR EXISTS (SELECT 1 FROM kcost_caller_grants() g WHERE g.cluster = '*' AND g.namespace = '*'))
    END)$rule$, '@cluster', cluster_column), '@namespace', namespace_column)
$$;

-- Puts the scope rule on a table as row-level security (SELECT only: kcost's
-- writers are the owner, whom row security does not restrict).
CREATE OR REPLACE FUNCTION kcost_guard_table(guarded regclass, namespace_column text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', guarded);
  EXECUTE format('DROP POLICY IF EXISTS kcost_team_scope ON %s', guarded);
  EXECUTE format('CREATE POLICY kcost_team_scope ON %s FOR SELECT USING %s', guarded, kcost_scope_condition('cluster', namespace_column));
END
$$;

-- Plain tables on both paths: row-level security applies to them directly.
SELECT kcost_guard_table('recommendation', 'namespace');
SELECT kcost_guard_table('cost_forecast', 'namespace');

-- Where the TimescaleDB path keeps its scoped views (empty on plain PostgreSQL).
CREATE SCHEMA IF NOT EXISTS kcost_scoped;
COMMENT ON SCHEMA kcost_scoped IS 'Security-barrier views of the namespaced relations, for team roles, where row-level security cannot apply (TimescaleDB). A team role searches it before public.';

-- Makes (or updates) a team's read-only database role: it sees the rows of
-- `namespaces` (or '*') in `clusters` (or '*'), and with node_costs the
-- figures of those clusters that belong to no namespace. Replaces the role's
-- previous grants. Run it as a role with CREATEROLE (or on an existing role)
-- that owns kcost's tables, e.g. the user that runs kcost migrate.
CREATE OR REPLACE FUNCTION kcost_grant_team(
  team_role name,
  namespaces text[],
  clusters text[] DEFAULT ARRAY['*'],
  node_costs boolean DEFAULT false
) RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  relation record;
BEGIN
  IF namespaces IS NULL OR cardinality(namespaces) = 0 OR EXISTS (SELECT 1 FROM unnest(namespaces) n WHERE COALESCE(n, '') = '') THEN
    RAISE EXCEPTION 'kcost_grant_team(%): namespaces must name at least one namespace, or ''*'', and none empty', team_role;
  END IF;
  IF clusters IS NULL OR cardinality(clusters) = 0 OR EXISTS (SELECT 1 FROM unnest(clusters) c WHERE COALESCE(c, '') = '') THEN
    RAISE EXCEPTION 'kcost_grant_team(%): clusters must name at least one cluster, or ''*'', and none empty', team_role;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = team_role) THEN
    EXECUTE format('CREATE ROLE %I NOLOGIN', team_role);
  ELSIF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = team_role AND (rolsuper OR rolbypassrls)) THEN
    RAISE EXCEPTION 'kcost_grant_team(%): the role is a superuser or BYPASSRLS, so no scope would hold it', team_role;
  END IF;
  EXECUTE format('GRANT USAGE ON SCHEMA %I, kcost_scoped TO %I', current_schema(), team_role);
  -- What a team reads: every relation that row security or a scoped view
  -- guards, and the providers' list prices, which are no tenant's data.
  FOR relation IN
    SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE (n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relrowsecurity AND c.relname <> 'kcost_namespace_grant')
       OR (n.nspname = current_schema() AND c.relname = 'price_history')
       OR (n.nspname = 'kcost_scoped' AND c.relkind = 'v')
  LOOP
    EXECUTE format('GRANT SELECT ON %I.%I TO %I', relation.nspname, relation.relname, team_role);
  END LOOP;
  -- The scoped views shadow the unguarded relations of the same name.
  EXECUTE format('ALTER ROLE %I SET search_path = kcost_scoped, %I', team_role, current_schema());
  DELETE FROM kcost_namespace_grant WHERE grantee = team_role::regrole;
  INSERT INTO kcost_namespace_grant (grantee, cluster, namespace, node_costs)
  SELECT team_role::regrole, c, n, kcost_grant_team.node_costs FROM unnest(clusters) c CROSS JOIN unnest(namespaces) n
  ON CONFLICT DO NOTHING;
END
$$;

COMMENT ON FUNCTION kcost_grant_team(name, text[], text[], boolean) IS 'Creates or updates a team''s read-only role that sees only its namespaces (docs/access.md).';

-- Takes every grant of kcost_grant_team() back; the role itself stays (drop it yourself).
CREATE OR REPLACE FUNCTION kcost_revoke_team(team_role name) RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  relation record;
BEGIN
  DELETE FROM kcost_namespace_grant WHERE grantee = team_role::regrole;
  FOR relation IN
    SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname IN (current_schema(), 'kcost_scoped') AND c.relkind IN ('r', 'p', 'v', 'm')
      AND has_table_privilege(team_role, c.oid, 'SELECT') AND pg_has_role(current_user, c.relowner, 'USAGE')
  LOOP
    EXECUTE format('REVOKE SELECT ON %I.%I FROM %I', relation.nspname, relation.relname, team_role);
  END LOOP;
END
$$;

REVOKE EXECUTE ON FUNCTION kcost_grant_team(name, text[], text[], boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION kcost_revoke_team(name) FROM PUBLIC;
