"""Signed checkpoints: an Ed25519 signature over (seq, hash) of the chain's head, so that a
rewrite of the whole chain after a checkpoint (which the hashes alone cannot reveal) is caught."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


@dataclass(frozen=True)
class Signer:
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def key_id(self) -> str:
        raw = self.public_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return hashlib.sha256(raw).hexdigest()[:16]

    def sign(self, seq: int, head_hash: str) -> str:
        return self.private_key.sign(statement(seq, head_hash)).hex()

    def verify(self, seq: int, head_hash: str, signature: str) -> bool:
        try:
            self.public_key.verify(bytes.fromhex(signature), statement(seq, head_hash))
        except (InvalidSignature, ValueError):
            return False
        return True


def statement(seq: int, head_hash: str) -> bytes:
    return f"helpdesk-audit-checkpoint:{seq}:{head_hash}".encode()


def load_signer(path: str) -> Signer:
    """The key from a PEM file (PKCS8, unencrypted); fails with a clear message otherwise."""
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise SystemExit(f"audit: cannot load the checkpoint signing key {path}: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SystemExit(f"audit: {path} is not an Ed25519 private key")
    return Signer(key)
