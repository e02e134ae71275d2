"""The FastAPI base every service starts from: health, readiness, metrics, problem+json errors,
tracing of each request, and the authenticated caller as a dependency."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kit import telemetry
from kit.auth import Principal, TokenVerifier, bearer_token
from kit.errors import DomainError, Forbidden, Unauthenticated
from kit.metrics import HTTP_REQUESTS

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
ReadinessCheck = Callable[[], Awaitable[None]]


def problem(
    status: int, title: str, detail: str = "", *, instance: str = "", **extra: Any
) -> JSONResponse:
    """An RFC 9457 problem document."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


class MetricsMiddleware:
    """Per request: latency into a Prometheus histogram, labelled by route template. (Spans
    come from FastAPI's own OpenTelemetry support, configured in create_app.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            HTTP_REQUESTS.labels(scope["method"], template, f"{status // 100}xx").observe(
                time.perf_counter() - started
            )


def create_app(
    *,
    service: str,
    verifier: TokenVerifier | None,
    readiness: Sequence[ReadinessCheck] = (),
    lifespan: Any = None,
    description: str = "",
) -> FastAPI:
    app = FastAPI(
        title=f"helpdesk {service}",
        description=description,
        version="1",
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json" if service != "web" else None,
        docs_url="/api/v1/docs" if service != "web" else None,
        redoc_url=None,
        # Server spans continuing the caller's W3C trace context. Metrics go to Prometheus
        # (MetricsMiddleware) and logs to our JSON handler; per-operation spans (dependencies,
        # serialisation) would cost more CPU than they tell.
        telemetry={"tracing": True, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.verifier = verifier
    app.add_middleware(MetricsMiddleware)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        extra = {"errors": exc.errors} if exc.errors else {}
        return problem(exc.status, exc.title, exc.detail, instance=request.url.path, **extra)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return problem(
            422,
            "Unprocessable request",
            "the request does not match the schema",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(
            exc.status_code,
            _title(exc.status_code),
            str(exc.detail or ""),
            instance=request.url.path,
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem(
            500,
            "Internal error",
            "the server failed; the trace id is in its logs",
            trace_id=telemetry.current_trace_id(),
        )

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> Response:
        failures = {}
        for check in readiness:
            try:
                await check()
            except Exception as exc:
                failures[getattr(check, "__name__", "check")] = repr(exc)
        if failures:
            return problem(503, "Not ready", "a dependency is unreachable", checks=failures)
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


_bearer = HTTPBearer(auto_error=False, description="Access token from POST /api/v1/auth/token")


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """The authenticated caller; 401 problem when the token is missing, bad or expired."""
    verifier: TokenVerifier | None = request.app.state.verifier
    if verifier is None:  # pragma: no cover - a wiring mistake
        raise Unauthenticated("this service does not accept tokens")
    token = (
        bearer_token(request.headers.get("authorization"))
        if credentials is None
        else credentials.credentials
    )
    return await verifier.verify(token)


CurrentUser = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only callers holding one of `roles` through (403 otherwise)."""

    async def check(principal: CurrentUser) -> Principal:
        if not principal.has_any(*roles):
            raise Forbidden(f"requires one of the roles: {', '.join(roles)}")
        return principal

    return check
