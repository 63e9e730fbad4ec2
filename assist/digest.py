"""SHA-256 as hex: the one hashing helper (content hashes, manifest checksums, API keys)."""

from __future__ import annotations

import hashlib


def sha256(data: bytes | str) -> str:
    """The hex SHA-256 of `data` (text is hashed as UTF-8)."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()
