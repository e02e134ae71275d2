-- Runs once, when the postgres container initialises an empty data directory.
-- Creates the database helpdesk with one schema per service: <svc>_owner owns the schema and
-- runs the migrations; <svc>_app is the runtime login with data rights only, granted through
-- default privileges on whatever the owner creates. Passwords come from the container
-- environment (compose.yaml, .env), read with psql's \getenv: a missing one stops the init.
-- Keep the grants in step with deploy/k8s/components/cloudnativepg/roles.sql (a test compares).
\set ON_ERROR_STOP on

\getenv identity_owner_password IDENTITY_OWNER_PASSWORD
\getenv identity_app_password IDENTITY_APP_PASSWORD
\getenv routing_owner_password ROUTING_OWNER_PASSWORD
\getenv routing_app_password ROUTING_APP_PASSWORD
\getenv tickets_owner_password TICKETS_OWNER_PASSWORD
\getenv tickets_app_password TICKETS_APP_PASSWORD
\getenv sla_owner_password SLA_OWNER_PASSWORD
\getenv sla_app_password SLA_APP_PASSWORD
\getenv audit_owner_password AUDIT_OWNER_PASSWORD
\getenv audit_app_password AUDIT_APP_PASSWORD

-- Stop before changing anything when a password is missing or empty: psql leaves an unset
-- :'variable' unexpanded (a syntax error), and the DO block refuses an empty one.
SELECT bool_and(pw <> '') AS passwords_set FROM (VALUES
    (:'identity_owner_password'),
    (:'identity_app_password'),
    (:'routing_owner_password'),
    (:'routing_app_password'),
    (:'tickets_owner_password'),
    (:'tickets_app_password'),
    (:'sla_owner_password'),
    (:'sla_app_password'),
    (:'audit_owner_password'),
    (:'audit_app_password')
) AS p (pw) \gset
\if :passwords_set
\else
DO $$ BEGIN RAISE EXCEPTION 'every <SVC>_OWNER_PASSWORD and <SVC>_APP_PASSWORD must be set'; END $$;
\endif

SELECT 'CREATE DATABASE helpdesk'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'helpdesk')\gexec

CREATE ROLE identity_owner LOGIN PASSWORD :'identity_owner_password';
CREATE ROLE identity_app LOGIN PASSWORD :'identity_app_password';
CREATE ROLE routing_owner LOGIN PASSWORD :'routing_owner_password';
CREATE ROLE routing_app LOGIN PASSWORD :'routing_app_password';
CREATE ROLE tickets_owner LOGIN PASSWORD :'tickets_owner_password';
CREATE ROLE tickets_app LOGIN PASSWORD :'tickets_app_password';
CREATE ROLE sla_owner LOGIN PASSWORD :'sla_owner_password';
CREATE ROLE sla_app LOGIN PASSWORD :'sla_app_password';
CREATE ROLE audit_owner LOGIN PASSWORD :'audit_owner_password';
CREATE ROLE audit_app LOGIN PASSWORD :'audit_app_password';

\connect helpdesk

-- Nobody but the roles below may connect, and the public schema is closed to all.
REVOKE ALL ON DATABASE helpdesk FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT CONNECT ON DATABASE helpdesk TO identity_owner, identity_app, routing_owner, routing_app, tickets_owner, tickets_app, sla_owner, sla_app, audit_owner, audit_app;

-- identity
CREATE SCHEMA identity AUTHORIZATION identity_owner;
GRANT USAGE ON SCHEMA identity TO identity_app;
ALTER DEFAULT PRIVILEGES FOR ROLE identity_owner IN SCHEMA identity
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO identity_app;
ALTER DEFAULT PRIVILEGES FOR ROLE identity_owner IN SCHEMA identity
    GRANT USAGE, SELECT ON SEQUENCES TO identity_app;
ALTER ROLE identity_owner SET search_path = identity;
ALTER ROLE identity_app SET search_path = identity;

-- routing
CREATE SCHEMA routing AUTHORIZATION routing_owner;
GRANT USAGE ON SCHEMA routing TO routing_app;
ALTER DEFAULT PRIVILEGES FOR ROLE routing_owner IN SCHEMA routing
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO routing_app;
ALTER DEFAULT PRIVILEGES FOR ROLE routing_owner IN SCHEMA routing
    GRANT USAGE, SELECT ON SEQUENCES TO routing_app;
ALTER ROLE routing_owner SET search_path = routing;
ALTER ROLE routing_app SET search_path = routing;

-- tickets
CREATE SCHEMA tickets AUTHORIZATION tickets_owner;
GRANT USAGE ON SCHEMA tickets TO tickets_app;
ALTER DEFAULT PRIVILEGES FOR ROLE tickets_owner IN SCHEMA tickets
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO tickets_app;
ALTER DEFAULT PRIVILEGES FOR ROLE tickets_owner IN SCHEMA tickets
    GRANT USAGE, SELECT ON SEQUENCES TO tickets_app;
ALTER ROLE tickets_owner SET search_path = tickets;
ALTER ROLE tickets_app SET search_path = tickets;

-- sla
CREATE SCHEMA sla AUTHORIZATION sla_owner;
GRANT USAGE ON SCHEMA sla TO sla_app;
ALTER DEFAULT PRIVILEGES FOR ROLE sla_owner IN SCHEMA sla
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO sla_app;
ALTER DEFAULT PRIVILEGES FOR ROLE sla_owner IN SCHEMA sla
    GRANT USAGE, SELECT ON SEQUENCES TO sla_app;
ALTER ROLE sla_owner SET search_path = sla;
ALTER ROLE sla_app SET search_path = sla;

-- audit: the runtime role may only append and read; UPDATE, DELETE and TRUNCATE are
-- never granted (and a trigger created by the migrations refuses them as well).
CREATE SCHEMA audit AUTHORIZATION audit_owner;
GRANT USAGE ON SCHEMA audit TO audit_app;
ALTER DEFAULT PRIVILEGES FOR ROLE audit_owner IN SCHEMA audit
    GRANT SELECT, INSERT ON TABLES TO audit_app;
ALTER DEFAULT PRIVILEGES FOR ROLE audit_owner IN SCHEMA audit
    GRANT USAGE, SELECT ON SEQUENCES TO audit_app;
ALTER ROLE audit_owner SET search_path = audit;
ALTER ROLE audit_app SET search_path = audit;
