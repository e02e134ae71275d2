-- Run by CloudNativePG once, in the database helpdesk, when the cluster is bootstrapped
-- (spec.bootstrap.initdb.postInitApplicationSQLRefs). It creates the roles without login and
-- without password: the Cluster's spec.managed.roles then enables login and sets each password
-- from its Secret. Keep the grants in step with deploy/compose/initdb/01-roles.sql.

CREATE ROLE identity_owner NOLOGIN;
CREATE ROLE identity_app NOLOGIN;
CREATE ROLE routing_owner NOLOGIN;
CREATE ROLE routing_app NOLOGIN;
CREATE ROLE tickets_owner NOLOGIN;
CREATE ROLE tickets_app NOLOGIN;
CREATE ROLE sla_owner NOLOGIN;
CREATE ROLE sla_app NOLOGIN;
CREATE ROLE audit_owner NOLOGIN;
CREATE ROLE audit_app NOLOGIN;

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
