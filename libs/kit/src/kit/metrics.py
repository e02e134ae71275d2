"""Prometheus metrics of the plumbing itself; each service adds its domain metrics beside it."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Histogram(
    "helpdesk_http_request_duration_seconds",
    "HTTP request latency by route template and status class",
    ["method", "route", "status"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
GRPC_REQUESTS = Histogram(
    "helpdesk_grpc_server_duration_seconds",
    "gRPC server latency by method and status code",
    ["method", "code"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1),
)
OUTBOX_PUBLISHED = Counter("helpdesk_outbox_published_total", "Events published from the outbox")
EVENTS_HANDLED = Counter(
    "helpdesk_events_handled_total",
    "Events applied by a consumer (duplicates excluded)",
    ["consumer"],
)
