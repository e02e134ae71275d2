"""The launcher: starts PostgreSQL, NATS and every service as one stack (`make run`, tests)."""
