from __future__ import annotations

from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import BaseModel

from kit.errors import Conflict, NotFound
from kit.http import create_app

router = APIRouter()


class Body(BaseModel):
    title: str


@router.get("/missing")
async def missing() -> None:
    raise NotFound("ticket 7 not found")


@router.post("/things")
async def things(body: Body) -> dict[str, str]:
    raise Conflict("already there", errors=[{"loc": ["body", "title"], "msg": "taken"}])


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError("secret internals")


async def failing_check() -> None:
    raise ConnectionError("database down")


def client(*checks) -> TestClient:  # type: ignore[no-untyped-def]
    app = create_app(service="test", verifier=None, readiness=checks)
    app.include_router(router)
    return TestClient(app, raise_server_exceptions=False)


def test_domain_errors_are_problem_documents() -> None:
    resp = client().get("/missing")
    assert resp.status_code == 404
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.json() == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "ticket 7 not found",
        "instance": "/missing",
    }
    conflict = client().post("/things", json={"title": "x"}).json()
    assert conflict["status"] == 409 and conflict["errors"][0]["loc"] == ["body", "title"]


def test_validation_errors_name_each_field() -> None:
    resp = client().post("/things", json={"title": 5, "extra": 1})
    assert resp.status_code == 422
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.json()["errors"][0]["loc"] == ["body", "title"]


def test_unknown_route_and_unexpected_errors_are_problems_without_internals() -> None:
    assert client().get("/nope").headers["content-type"] == "application/problem+json"
    resp = client().get("/boom")
    assert resp.status_code == 500
    assert "secret internals" not in resp.text


def test_health_readiness_and_metrics() -> None:
    assert client().get("/healthz").json() == {"status": "ok"}
    assert client().get("/readyz").status_code == 200
    not_ready = client(failing_check).get("/readyz")
    assert not_ready.status_code == 503
    assert "database down" in not_ready.json()["checks"]["failing_check"]
    c = client()
    c.get("/missing")
    assert 'route="/missing",status="4xx"' in c.get("/metrics").text
