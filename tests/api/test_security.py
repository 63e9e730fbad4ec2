from __future__ import annotations

from assist.api.security import KeyRing
from assist.digest import sha256


def test_key_ring_accepts_only_its_keys() -> None:
    ring = KeyRing(frozenset({sha256("alpha-key"), sha256("beta-key")}))
    assert ring.accepts("alpha-key") and ring.accepts("beta-key")
    assert not ring.accepts("alpha-key ")
    assert not ring.accepts("")
    assert not ring.accepts(None)


def test_an_empty_key_ring_is_not_required_and_accepts_nothing() -> None:
    ring = KeyRing(frozenset())
    assert not ring.required
    assert not ring.accepts("anything")
