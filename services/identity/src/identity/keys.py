"""Token signing keys: Ed25519, kept in identity's schema, published as a JWKS."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert, select

from identity.models import signing_keys
from kit.auth import ALGORITHM, AUDIENCE, ISSUER
from kit.db import Session


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private_key, algorithm=ALGORITHM, headers={"kid": self.kid})


def _public_jwk(kid: str, key: Ed25519PrivateKey) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid=kid, use="sig", alg=ALGORITHM)
    return jwk


async def active_key(*, session: Session) -> SigningKey:
    """The newest active key, created on first use."""
    row = (
        await session.execute(
            select(signing_keys.c.kid, signing_keys.c.private_pem)
            .where(signing_keys.c.active)
            .order_by(signing_keys.c.created_at.desc())
            .limit(1)
        )
    ).first()
    if row is not None:
        key = serialization.load_pem_private_key(row.private_pem.encode(), password=None)
        assert isinstance(key, Ed25519PrivateKey)
        return SigningKey(row.kid, key)
    private = Ed25519PrivateKey.generate()
    kid = uuid.uuid4().hex[:16]
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    await session.execute(
        insert(signing_keys).values(kid=kid, private_pem=pem, public_jwk=_public_jwk(kid, private))
    )
    return SigningKey(kid, private)


async def jwks(*, session: Session) -> dict[str, Any]:
    """Every active public key, so tokens signed before a rotation still verify."""
    rows = (
        await session.execute(select(signing_keys.c.public_jwk).where(signing_keys.c.active))
    ).scalars()
    return {"keys": list(rows)}


def access_claims(
    *,
    user_id: uuid.UUID,
    username: str,
    roles: list[str],
    group_ids: list[uuid.UUID],
    department_id: uuid.UUID | None,
    ttl_s: int,
) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(user_id),
        "preferred_username": username,
        "roles": roles,
        "groups": [str(g) for g in group_ids],
        "dept": str(department_id or ""),
        "iat": now,
        "exp": now + ttl_s,
    }
