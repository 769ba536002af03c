-- Runs once, when the TimescaleDB container of docker-compose.yml creates its
-- data directory: a read-only login for Grafana's PostgreSQL datasource. The
-- tables do not exist yet (kcost migrate creates them as kcost), so the grant
-- is a default privilege on what kcost creates in public. It reads every
-- namespace, so it bypasses the team row security of sql/0010 explicitly;
-- give a team's datasource a role of its own instead (docs/access.md).
CREATE ROLE grafana LOGIN PASSWORD 'grafana' BYPASSRLS;
GRANT CONNECT ON DATABASE kcost TO grafana;
GRANT USAGE ON SCHEMA public TO grafana;
ALTER DEFAULT PRIVILEGES FOR ROLE kcost IN SCHEMA public GRANT SELECT ON TABLES TO grafana;
