"""Forwards /api/v1/<resource>/... to the service that owns <resource>."""

from __future__ import annotations

import httpx
from fastapi import Request, Response

from kit.http import problem
from web.config import WebSettings

OWNERS = {
    "auth": "identity",
    "me": "identity",
    "users": "identity",
    "departments": "identity",
    "groups": "identity",
    "tickets": "tickets",
    "categories": "routing",
    "routing-rules": "routing",
    "sla-policies": "sla",
    "calendars": "sla",
    "reports": "sla",
    "audit": "audit",
}
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}


def owner_of(path: str) -> str | None:
    """The owning service of an /api/v1 path, e.g. /api/v1/tickets/42 -> tickets."""
    rest = path.removeprefix("/api/v1/")
    return OWNERS.get(rest.split("/", 1)[0])


class Proxy:
    def __init__(self, settings: WebSettings) -> None:
        self.upstreams = {
            "identity": settings.identity_url,
            "tickets": settings.tickets_url,
            "routing": settings.routing_url,
            "sla": settings.sla_url,
            "audit": settings.audit_url,
        }
        self.client = httpx.AsyncClient(
            timeout=settings.upstream_timeout_s,
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
        )

    async def forward(self, request: Request) -> Response:
        owner = owner_of(request.url.path)
        if owner is None:
            return problem(
                404, "Not found", f"no API at {request.url.path}", instance=request.url.path
            )
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        if request.client:
            prior = request.headers.get("x-forwarded-for")
            headers["x-forwarded-for"] = (
                f"{prior}, {request.client.host}" if prior else request.client.host
            )
        url = self.upstreams[owner] + request.url.path
        try:
            upstream = await self.client.request(
                request.method,
                url,
                params=request.query_params,
                headers=headers,
                content=await request.body(),
            )
        except httpx.HTTPError as exc:
            return problem(
                502,
                "Bad gateway",
                f"{owner} did not answer: {type(exc).__name__}",
                instance=request.url.path,
            )
        out_headers = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP}
        out_headers.pop("content-encoding", None)
        return Response(upstream.content, status_code=upstream.status_code, headers=out_headers)

    async def close(self) -> None:
        await self.client.aclose()
