"""Domain errors that adapters turn into problem+json answers or gRPC status codes."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class: `status` is the HTTP status, `title` a short human summary."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class Unauthenticated(DomainError):
    status = 401
    title = "Unauthorized"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class Invalid(DomainError):
    status = 422
    title = "Unprocessable request"
