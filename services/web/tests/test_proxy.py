from __future__ import annotations

import pytest

from web.proxy import owner_of


@pytest.mark.parametrize(
    ("path", "owner"),
    [
        ("/api/v1/auth/token", "identity"),
        ("/api/v1/me", "identity"),
        ("/api/v1/tickets", "tickets"),
        ("/api/v1/tickets/1/comments", "tickets"),
        ("/api/v1/categories", "routing"),
        ("/api/v1/sla-policies", "sla"),
        ("/api/v1/audit/verify", "audit"),
        ("/api/v1/unknown", None),
        ("/api/v1/", None),
    ],
)
def test_each_resource_goes_to_its_owner(path: str, owner: str | None) -> None:
    assert owner_of(path) == owner
