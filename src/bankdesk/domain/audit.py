"""The audit chain's hash: each event's hash covers its content and the previous hash."""

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_time(moment: datetime) -> str:
    """A timestamp as hashed: UTC, microseconds, no offset (naive values are taken as UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def chain_hash(prev_hash: str, occurred_at: datetime, content: Mapping[str, Any]) -> str:
    """SHA-256 over the previous hash, the time and the event's content, canonically encoded."""
    payload = json.dumps(
        {"prev": prev_hash, "at": canonical_time(occurred_at), **content},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
