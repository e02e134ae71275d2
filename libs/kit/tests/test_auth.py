from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kit.auth import ALGORITHM, AUDIENCE, ISSUER, TokenVerifier, bearer_token
from kit.errors import Unauthenticated

KEY = Ed25519PrivateKey.generate()


def jwks(key: Ed25519PrivateKey, kid: str) -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
    jwk["kid"] = kid
    return {"keys": [jwk]}


def token(key: Ed25519PrivateKey = KEY, kid: str = "k1", **overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "u-1",
        "preferred_username": "agent.it",
        "roles": ["agent"],
        "groups": ["g-1"],
        "dept": "d-1",
        "iat": now,
        "exp": now + 60,
    }
    claims.update(overrides)
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": kid})


@pytest.fixture
def verifier() -> TokenVerifier:
    v = TokenVerifier("http://127.0.0.1:9")  # nothing listens there: only the loaded keys count
    v.add_jwks(jwks(KEY, "k1"))
    return v


async def test_a_valid_token_describes_the_caller(verifier: TokenVerifier) -> None:
    p = await verifier.verify(token())
    assert (p.user_id, p.username, p.department_id) == ("u-1", "agent.it", "d-1")
    assert p.roles == {"agent"} and p.group_ids == {"g-1"}
    assert p.has_any("agent", "admin") and not p.has_any("auditor")


@pytest.mark.parametrize(
    "bad",
    [
        token(exp=int(time.time()) - 1),
        token(aud="someone-else"),
        token(iss="evil"),
        token(key=Ed25519PrivateKey.generate()),  # right kid, wrong key
        token(kid="unknown"),
        "not-a-jwt",
        jwt.encode(
            {"sub": "x", "exp": int(time.time()) + 60, "iat": 0, "aud": AUDIENCE, "iss": ISSUER},
            "an-hmac-secret-that-is-long-enough-32b",
            algorithm="HS256",
            headers={"kid": "k1"},
        ),
    ],
)
async def test_bad_tokens_are_refused(verifier: TokenVerifier, bad: str) -> None:
    with pytest.raises(Unauthenticated):
        await verifier.verify(bad)


async def test_a_verified_token_is_remembered_until_it_expires(verifier: TokenVerifier) -> None:
    t = token()
    first = await verifier.verify(t)
    verifier._keys.clear()  # a second check would now fail: the answer must come from the cache
    assert await verifier.verify(t) is first


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer", "Bearer "])
def test_bearer_header_must_be_well_formed(header: str | None) -> None:
    with pytest.raises(Unauthenticated):
        bearer_token(header)


def test_bearer_header_yields_the_token() -> None:
    assert bearer_token("Bearer abc.def") == "abc.def"
