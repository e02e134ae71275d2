from __future__ import annotations

from kit.config import ServiceSettings, load_settings


class AuditSettings(ServiceSettings):
    audit_signing_key_file: str
    """PEM file of the Ed25519 private key that signs checkpoints of the chain's head."""
    audit_checkpoint_interval_s: float = 60.0
    """How often the head of the chain is signed (when it moved)."""


def load() -> AuditSettings:
    return load_settings(AuditSettings)
