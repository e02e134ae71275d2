from __future__ import annotations

from kit.config import ServiceSettings, load_settings


class TicketsSettings(ServiceSettings):
    routing_target: str
    """host:port of routing's gRPC server."""
    sla_target: str
    """host:port of sla's gRPC server."""
    route_deadline_s: float = 0.5
    """How long a new request waits for routing before it is stored unrouted."""
    sla_deadline_s: float = 0.3


def load() -> TicketsSettings:
    return load_settings(TicketsSettings)
