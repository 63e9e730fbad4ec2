"""The manifest answers whether a version was built the way this assist would build it."""

from __future__ import annotations

from assist.index.manifest import FORMAT, Manifest, release


def _manifest(**changes: object) -> Manifest:
    fields: dict[str, object] = {
        "format": FORMAT, "version": "v", "model": "m", "dimension": 3, "count": 0, "built_at": "now",
        "package_version": release(), "passage_target": 120, "articles": {}, "policies": {}, "files": {},
    }
    return Manifest(**(fields | changes))  # type: ignore[arg-type]


def test_mismatch_is_empty_for_a_version_built_by_this_assist() -> None:
    assert _manifest().mismatch(120, "m") == ""
    assert _manifest(model="other").mismatch(120) == ""  # no model given: any model matches


def test_mismatch_names_the_first_difference_with_both_values() -> None:
    assert _manifest(model="other").mismatch(120, "m") == "model 'other', now 'm'"
    assert _manifest().mismatch(200, "m") == "passage target 120, now 200"
    assert _manifest(package_version="0.0.1").mismatch(120) == f"assist release '0.0.1', now {release()!r}"
