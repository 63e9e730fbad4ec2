"""API keys held only as SHA-256 digests; a presented key is hashed and compared in constant time."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from assist.digest import sha256


@dataclass(frozen=True)
class KeyRing:
    """The digests of the keys one kind of caller may present."""

    digests: frozenset[str]

    @property
    def required(self) -> bool:
        """Whether any key is configured (an empty ring lets client routes through, never admin routes)."""
        return bool(self.digests)

    def accepts(self, key: str | None) -> bool:
        """True when `key` is one of the ring's keys.

        Every stored digest is compared, with `hmac.compare_digest`, against the digest of the presented key:
        the time taken depends on neither the key's content nor which stored key it matches.
        """
        if not key:
            return False
        presented = sha256(key).encode("ascii")
        matched = False
        for stored in self.digests:
            matched |= hmac.compare_digest(presented, stored.encode("ascii"))
        return matched
