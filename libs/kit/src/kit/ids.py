"""Identifiers: time-ordered UUIDv7 for new rows and events, stable UUIDv5 for seeded data."""

from __future__ import annotations

import uuid

import uuid_utils.compat as _uuid

# Seeded demo rows get the same id in every service that knows them (a category's group id in
# routing must equal the group's id in identity), without any service reading another's tables.
SEED_NAMESPACE = uuid.UUID("6f1c3a52-6d1e-4a4e-9c8e-2f9b8e0d7a11")


def new_id() -> uuid.UUID:
    """A new UUIDv7: unique, and sortable by creation time."""
    return _uuid.uuid7()


def seed_id(kind: str, key: str) -> uuid.UUID:
    """The stable id of a seeded entity, e.g. seed_id("group", "it")."""
    return uuid.uuid5(SEED_NAMESPACE, f"{kind}:{key}")
