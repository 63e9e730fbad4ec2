"""Identifiers the desktop sends (conversation and agent ids) as keyed hashes: a desktop may use a phone number
or an e-mail address as a call id, so the store never holds them as sent, yet every event of one call still
carries the same value and can be joined.

HMAC-SHA256 under a secret key: without the key a pseudonym cannot be recomputed from a guessed phone number.
The key is ASSIST_ID_KEY when set (keep it out of the database), else a random key the first migration of this
kind stored in the event store itself (`store_keys`), so replicas sharing one database agree.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIX = "p_"
KEY_NAME = "pseudonyms"  # its row in store_keys


def new_key() -> str:
    """A fresh random key, hex."""
    return secrets.token_hex(32)


def pseudonym(key: str, value: str) -> str:
    """The stored form of an identifier: `p_` and 32 hex characters of its HMAC under `key`."""
    digest = hmac.new(key.encode(), value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:32]
