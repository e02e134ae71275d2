"""The web front door: the UI's static files, and /api/v1/* forwarded to the owning services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import uvloop
from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from kit import telemetry
from kit.http import create_app
from kit.runtime import serve_http
from web import config
from web.proxy import Proxy

STATIC = Path(__file__).with_name("static")


def build_app(settings: config.WebSettings) -> FastAPI:
    proxy = Proxy(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await proxy.close()

    async def identity_reachable() -> None:
        (await proxy.client.get(settings.identity_url + "/healthz", timeout=2)).raise_for_status()

    app = create_app(
        service="web", verifier=None, readiness=[identity_reachable], lifespan=lifespan
    )

    @app.api_route(
        "/api/v1/{path:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    async def forward(request: Request, path: str) -> Response:
        return await proxy.forward(request)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    return app


def main() -> None:
    settings = config.load()
    telemetry.setup_logging("web", settings.log_level)
    telemetry.setup_tracing("web")
    uvloop.run(serve_http(build_app(settings), settings.http_host, settings.http_port))
