-- The test role and databases `make postgres` sets up on Debian's cluster (run as the postgres superuser; idempotent).
-- dashboard_template has PostGIS and is a template: each test module clones it into a fresh database
-- (tests/store/conftest.py); nobody connects to it, so cloning never waits for a session to end.
SELECT 'CREATE ROLE dashboard LOGIN CREATEDB PASSWORD ''dashboard'''
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dashboard') \gexec
SELECT 'CREATE DATABASE dashboard_template OWNER dashboard'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'dashboard_template') \gexec
\connect dashboard_template
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS postgis;
\connect postgres
ALTER DATABASE dashboard_template IS_TEMPLATE true;
SELECT 'CREATE DATABASE dashboard_test OWNER dashboard TEMPLATE dashboard_template'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'dashboard_test') \gexec
-- The app's role for the store (migration 0003 grants it what the app needs: it may add revisions, never change
-- or delete them), and a login role in it, which tests/store/test_grants.py connects as.
SELECT 'CREATE ROLE dashboard_app NOLOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dashboard_app') \gexec
SELECT 'CREATE ROLE dashboard_web LOGIN PASSWORD ''dashboard_web'' IN ROLE dashboard_app'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dashboard_web') \gexec
-- The test role may end dashboard_web's sessions: a module's database is dropped WITH (FORCE) after its tests.
GRANT dashboard_web TO dashboard;
