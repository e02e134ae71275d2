"""The hash chain: hash = SHA-256(prev_hash || canonical bytes of the entry)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from google.protobuf.json_format import MessageToDict

# Importing the event modules registers their payload types, so Any payloads render as JSON.
from helpdesk.events.v1 import identity_pb2, sla_pb2, tickets_pb2  # noqa: F401
from kit.events.envelope import Envelope

GENESIS = "0" * 64


def canonical_body(env: Envelope) -> str:
    """The entry as canonical JSON: sorted keys, no spaces, UTF-8; trace context left out."""
    doc: dict[str, Any] = MessageToDict(env, preserving_proto_field_name=True)
    doc.pop("trace_context", None)
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link(prev_hash: str, body: str) -> str:
    return hashlib.sha256(bytes.fromhex(prev_hash) + body.encode()).hexdigest()
