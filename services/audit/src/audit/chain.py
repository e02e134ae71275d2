"""The hash chain: hash = SHA-256(prev_hash || canonical bytes of the entry)."""

from __future__ import annotations

import hashlib
import importlib
import json
import pkgutil
from typing import Any

from google.protobuf.json_format import MessageToDict

from kit.events.envelope import Envelope

GENESIS = "0" * 64


def _register_event_types() -> None:
    """Import every generated event module, so that any payload (an Any) renders as JSON: an
    event type added to proto/ later must not make audit fail on it."""
    import helpdesk.events.v1 as events

    for module in pkgutil.iter_modules(events.__path__):
        if module.name.endswith("_pb2"):
            importlib.import_module(f"{events.__name__}.{module.name}")


_register_event_types()


def canonical_body(env: Envelope) -> str:
    """The entry as canonical JSON: sorted keys, no spaces, UTF-8; trace context left out."""
    doc: dict[str, Any] = MessageToDict(env, preserving_proto_field_name=True)
    doc.pop("trace_context", None)
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link(prev_hash: str, body: str) -> str:
    return hashlib.sha256(bytes.fromhex(prev_hash) + body.encode()).hexdigest()
