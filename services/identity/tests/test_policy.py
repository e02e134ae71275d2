from __future__ import annotations

import uuid

import pytest

from identity.schemas import GroupRead, UserRead
from identity.service import authorize, check_roles
from kit.errors import Invalid

IT = GroupRead(id=uuid.uuid4(), key="it", name="IT")


def user(*roles: str, groups: list[GroupRead] | None = None, active: bool = True) -> UserRead:
    return UserRead(
        id=uuid.uuid4(),
        username="u",
        display_name="U",
        email="",
        department_id=None,
        roles=list(roles),
        groups=groups or [],
        active=active,
    )


@pytest.mark.parametrize(
    ("who", "action", "group", "allowed"),
    [
        (user("requester"), "tickets.create", "", True),
        (user("requester"), "audit.read", "", False),
        (user("auditor"), "audit.read", "", True),
        (user("auditor"), "tickets.create", "", False),
        (user("agent", groups=[IT]), "tickets.read_queue", str(IT.id), True),
        (user("agent", groups=[IT]), "tickets.read_queue", str(uuid.uuid4()), False),
        (user("admin"), "tickets.read_queue", str(uuid.uuid4()), True),
        (user("admin"), "config.write", "", True),
        (user("group_lead", groups=[IT]), "config.write", "", False),
        (user("admin", active=False), "config.write", "", False),
        (user("admin"), "no.such.action", "", False),
    ],
)
def test_authorize(who: UserRead, action: str, group: str, allowed: bool) -> None:
    ok, reason = authorize(who, action, group)
    assert ok is allowed
    assert bool(reason) is not allowed


def test_at_most_three_known_roles() -> None:
    check_roles(["agent", "group_lead", "requester"], 3)
    with pytest.raises(Invalid, match="at most 3"):
        check_roles(["agent", "group_lead", "requester", "admin"], 3)
    with pytest.raises(Invalid, match="unknown roles: root"):
        check_roles(["root"], 3)
