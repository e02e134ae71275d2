"""Identity use cases: plain functions over a session; the caller owns the transaction."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from helpdesk.events.v1 import identity_pb2
from identity.models import departments, group_members, groups, outbox, role_grants, users
from identity.schemas import GroupRead, UserRead
from kit.auth import ROLES
from kit.db import Session
from kit.errors import Invalid, NotFound
from kit.events.envelope import new_event
from kit.events.outbox import add_events
from kit.ids import seed_id

hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified when the username is unknown, so that both failures take the same time.
_DUMMY_HASH = hasher.hash("not a real password")


@dataclass(frozen=True)
class LoginResult:
    user: UserRead | None
    reason: str = ""


async def hash_password(password: str) -> str:
    """argon2id hash, computed off the event loop (it is deliberately slow)."""
    return await asyncio.to_thread(hasher.hash, password)


async def _verify(stored: str | None, password: str) -> bool:
    def check() -> bool:
        try:
            return hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
        except (VerifyMismatchError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


async def authenticate(
    *, session: Session, username: str, password: str, client_address: str = ""
) -> LoginResult:
    """Check a password login; success and failure are both recorded as events for the audit."""
    username = username.strip().lower()
    row = (
        await session.execute(
            select(users.c.id, users.c.password_hash, users.c.active).where(
                users.c.username == username
            )
        )
    ).first()
    ok = await _verify(row.password_hash if row else None, password)
    reason = "" if ok else "bad credentials"
    if ok and row is not None and not row.active:
        ok, reason = False, "account disabled"
    user = await get_user(session=session, user_id=row.id) if ok and row is not None else None
    attempt = identity_pb2.LoginAttempt(
        username=username,
        user_id=str(row.id) if row else "",
        succeeded=ok,
        reason=reason,
        client_address=client_address,
    )
    event = new_event(
        "identity.login.succeeded" if ok else "identity.login.failed",
        row.id if row else uuid.UUID(int=0),
        attempt,
        actor_id=row.id if row else None,
    )
    await add_events(session, outbox, event)
    return LoginResult(user=user, reason=reason)


async def get_user(*, session: Session, user_id: uuid.UUID) -> UserRead:
    """A user with their roles and groups."""
    row = (await session.execute(select(users).where(users.c.id == user_id))).first()
    if row is None:
        raise NotFound(f"user {user_id} not found")
    roles = sorted(
        (
            await session.execute(
                select(role_grants.c.role).where(role_grants.c.user_id == user_id)
            )
        ).scalars()
    )
    group_rows = (
        await session.execute(
            select(groups.c.id, groups.c.key, groups.c.name)
            .join(group_members, group_members.c.group_id == groups.c.id)
            .where(group_members.c.user_id == user_id)
            .order_by(groups.c.name)
        )
    ).all()
    return UserRead(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        email=row.email,
        department_id=row.department_id,
        roles=roles,
        active=row.active,
        groups=[GroupRead(id=g.id, key=g.key, name=g.name) for g in group_rows],
    )


async def list_groups(*, session: Session) -> list[GroupRead]:
    """Every group, by name."""
    rows = await session.execute(
        select(groups.c.id, groups.c.key, groups.c.name).order_by(groups.c.name)
    )
    return [GroupRead(id=r.id, key=r.key, name=r.name) for r in rows]


# Which roles may perform an action; scoped actions also need membership of the group.
POLICY: dict[str, tuple[frozenset[str], bool]] = {
    "tickets.create": (frozenset({"requester", "agent", "group_lead", "admin"}), False),
    "tickets.read_queue": (frozenset({"agent", "group_lead", "admin"}), True),
    "tickets.work": (frozenset({"agent", "group_lead"}), True),
    "reports.workload": (frozenset({"group_lead", "admin"}), True),
    "audit.read": (frozenset({"auditor", "admin"}), False),
    "config.write": (frozenset({"admin"}), False),
}


def authorize(user: UserRead, action: str, group_id: str = "") -> tuple[bool, str]:
    """Whether `user` may perform `action` (in `group_id` when the action is scoped)."""
    if not user.active:
        return False, "account disabled"
    if action not in POLICY:
        return False, f"unknown action {action!r}"
    roles, scoped = POLICY[action]
    if roles.isdisjoint(user.roles):
        return False, f"requires one of the roles: {', '.join(sorted(roles))}"
    if (
        scoped
        and group_id
        and "admin" not in user.roles
        and group_id not in {str(g.id) for g in user.groups}
    ):
        return False, "not a member of that group"
    return True, ""


def check_roles(roles: list[str], max_roles: int) -> None:
    """At most `max_roles` known roles per person, as the rollout guidance advises."""
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise Invalid(f"unknown roles: {', '.join(unknown)}")
    if len(set(roles)) > max_roles:
        raise Invalid(f"a person may hold at most {max_roles} roles")


async def seed_organisation(
    *, session: Session, org: dict[str, Any], demo_password: str, max_roles: int
) -> None:
    """Upsert departments, groups and users from an organisation file (idempotent)."""
    for d in org.get("departments", []):
        stmt = insert(departments).values(
            id=seed_id("department", d["key"]), key=d["key"], name=d["name"]
        )
        await session.execute(
            stmt.on_conflict_do_update(index_elements=["id"], set_={"name": d["name"]})
        )
    for g in org.get("groups", []):
        stmt = insert(groups).values(id=seed_id("group", g["key"]), key=g["key"], name=g["name"])
        await session.execute(
            stmt.on_conflict_do_update(index_elements=["id"], set_={"name": g["name"]})
        )
    password_hash = await hash_password(demo_password) if demo_password else None
    for u in org.get("users", []):
        check_roles(u["roles"], max_roles)
        user_id = seed_id("user", u["username"])
        values = {
            "id": user_id,
            "username": u["username"].lower(),
            "display_name": u["display_name"],
            "email": u.get("email", ""),
            "department_id": seed_id("department", u["department"]),
            "password_hash": password_hash,
        }
        stmt = insert(users).values(**values)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["id"],
                # The launcher prints the demo password, so a re-seed makes it true again.
                set_={
                    k: v for k, v in values.items() if k not in ("id", "username") and v is not None
                },
            )
        )
        await session.execute(delete(role_grants).where(role_grants.c.user_id == user_id))
        await session.execute(
            insert(role_grants), [{"user_id": user_id, "role": r} for r in u["roles"]]
        )
        await session.execute(delete(group_members).where(group_members.c.user_id == user_id))
        if u.get("groups"):
            await session.execute(
                insert(group_members),
                [{"user_id": user_id, "group_id": seed_id("group", g)} for g in u["groups"]],
            )
