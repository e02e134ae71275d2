"""gRPC client side: channels with retry policy for idempotent calls, and call metadata that
carries the end user's token and the trace context."""

from __future__ import annotations

import json
from collections.abc import Sequence

import grpc

from kit import telemetry


def channel(target: str, *, idempotent_services: Sequence[str] = ()) -> grpc.aio.Channel:
    """A channel to `target` (host:port). Calls of the listed services are retried with backoff
    when the server is unavailable; nothing else is retried."""
    config = {
        "methodConfig": [
            {
                "name": [{"service": s} for s in idempotent_services],
                "retryPolicy": {
                    "maxAttempts": 3,
                    "initialBackoff": "0.05s",
                    "maxBackoff": "0.5s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        ]
        if idempotent_services
        else []
    }
    return grpc.aio.insecure_channel(
        target,
        options=[
            ("grpc.service_config", json.dumps(config)),
            ("grpc.enable_retries", 1),
            ("grpc.keepalive_time_ms", 30_000),
            # Reconnect quickly after the server restarts (the defaults back off up to 2 min,
            # during which every call would fail at once).
            ("grpc.initial_reconnect_backoff_ms", 100),
            ("grpc.min_reconnect_backoff_ms", 100),
            ("grpc.max_reconnect_backoff_ms", 1000),
        ],
    )


def call_metadata(token: str | None = None) -> tuple[tuple[str, str], ...]:
    """Metadata for an outgoing call: the caller's bearer token and the W3C trace context."""
    carrier: dict[str, str] = {}
    telemetry.inject(carrier)
    if token:
        carrier["authorization"] = f"Bearer {token}"
    return tuple(carrier.items())
