"""gRPC plumbing: server with health, reflection, deadline and error interceptors; client helpers."""
