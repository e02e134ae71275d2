"""Access tokens: who the caller is, checked locally against identity's published JWKS."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt

from kit.errors import Unauthenticated

log = logging.getLogger(__name__)

ISSUER = "helpdesk-identity"
AUDIENCE = "helpdesk"
ALGORITHM = "EdDSA"
JWKS_PATH = "/api/v1/auth/jwks"

ROLES = ("requester", "agent", "group_lead", "admin", "auditor")


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller, as the token describes them."""

    user_id: str
    username: str
    roles: frozenset[str]
    group_ids: frozenset[str]
    department_id: str
    token: str = field(repr=False)
    expires_at: float = 0.0

    def has_any(self, *roles: str) -> bool:
        return not self.roles.isdisjoint(roles)


class TokenVerifier:
    """Verifies bearer tokens. Keys come from the JWKS and are refetched on an unknown key id;
    a verified token is remembered until it expires, so a busy caller costs one signature check."""

    def __init__(self, identity_url: str, *, cache_size: int = 10_000) -> None:
        self.jwks_url = identity_url.rstrip("/") + JWKS_PATH
        self._keys: dict[str, Any] = {}
        self._cache: OrderedDict[str, Principal] = OrderedDict()
        self._cache_size = cache_size
        self._last_fetch = 0.0
        self._lock = asyncio.Lock()

    def add_jwks(self, jwks: dict[str, Any]) -> None:
        for jwk in jwks.get("keys", []):
            self._keys[jwk["kid"]] = jwt.PyJWK(jwk).key

    async def refresh(self, *, force: bool = False) -> None:
        async with self._lock:
            if not force and time.monotonic() - self._last_fetch < 5:
                return
            async with httpx.AsyncClient(timeout=5) as client:
                resp = await client.get(self.jwks_url)
                resp.raise_for_status()
            self.add_jwks(resp.json())
            self._last_fetch = time.monotonic()

    async def verify(self, token: str) -> Principal:
        now = time.time()
        cached = self._cache.get(token)
        if cached is not None and cached.expires_at > now:
            return cached
        try:
            kid = jwt.get_unverified_header(token).get("kid", "")
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"malformed token: {exc}") from None
        if kid not in self._keys:
            try:
                await self.refresh()
            except httpx.HTTPError as exc:
                log.warning("could not fetch JWKS", extra={"error": repr(exc)})
            if kid not in self._keys:
                raise Unauthenticated("token signed by an unknown key")
        try:
            claims = jwt.decode(
                token,
                self._keys[kid],
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "sub", "iat"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("token expired") from None
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"invalid token: {exc}") from None
        principal = principal_from_claims(claims, token)
        self._cache[token] = principal
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return principal


def principal_from_claims(claims: dict[str, Any], token: str) -> Principal:
    return Principal(
        user_id=str(claims["sub"]),
        username=str(claims.get("preferred_username", "")),
        roles=frozenset(claims.get("roles", [])),
        group_ids=frozenset(claims.get("groups", [])),
        department_id=str(claims.get("dept", "")),
        token=token,
        expires_at=float(claims["exp"]),
    )


def bearer_token(header: str | None) -> str:
    """The token of an `Authorization: Bearer ...` header value."""
    if not header:
        raise Unauthenticated("missing bearer token")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("expected 'Authorization: Bearer <token>'")
    return token.strip()
