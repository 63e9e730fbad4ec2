"""The manifest of an index version: what it holds, how it was made, and checksums of every file in it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from assist.digest import sha256
from assist.errors import IndexMismatchError
from assist.knowledge.articles import Article

FORMAT = 5  # 4: BM25 indexes, article vectors, the vector index type and the tree's signature; 5: `build`
MANIFEST = "manifest.json"


def article_hashes(articles: Iterable[Article]) -> dict[str, str]:
    """Each article's content hash, by id: what a manifest records of the articles a version holds."""
    return {a.id: a.content_hash for a in articles}


def file_hashes(files: Mapping[str, bytes]) -> dict[str, str]:
    """Each file's SHA-256, by name: what a manifest records of the policy files and of every file it holds."""
    return {name: sha256(data) for name, data in files.items()}


@dataclass(frozen=True)
class Manifest:
    """What a version holds and how it was made; the loader refuses anything that does not match.

    `digest` is the SHA-256 of every other field, so a hand-edited manifest is caught, not trusted.
    """

    format: int
    version: str
    model: str
    dimension: int
    count: int
    built_at: str
    package_version: str
    passage_target: int
    articles: dict[str, str]
    policies: dict[str, str]
    files: dict[str, str]
    index_type: str = "flat"
    sources: dict[str, list[int]] = field(default_factory=dict)  # the knowledge tree: path -> [size, mtime_ns]
    build: dict[str, Any] = field(default_factory=dict)  # how the vectors were made: engine, workers, throughput
    digest: str = ""

    def sealed(self) -> Manifest:
        """This manifest with its digest filled in."""
        return replace(self, digest=_digest(self))

    def to_bytes(self) -> bytes:
        """The manifest as written to disk."""
        return json.dumps(asdict(self), indent=2, ensure_ascii=False).encode("utf-8")

    def built_from(self, articles: Iterable[Article], policies: Mapping[str, bytes]) -> bool:
        """Whether this version was built from exactly these articles and policy files."""
        return self.articles == article_hashes(articles) and self.policies == file_hashes(policies)

    def mismatch(self, passage_target: int, model: str | None = None) -> str:
        """What this version was built with that this assist would build differently ("" when nothing): the
        model (when `model` is given), the passage target or the assist release, as "what 'theirs', now 'ours'"."""
        for what, theirs, ours in (
            ("model", self.model, model),
            ("passage target", self.passage_target, passage_target),
            ("assist release", self.package_version, release()),
        ):
            if ours is not None and theirs != ours:
                return f"{what} {theirs!r}, now {ours!r}"
        return ""


def release() -> str:
    """The installed assist release, which every manifest records."""
    return package_version("assist")


def _digest(manifest: Manifest) -> str:
    fields = asdict(manifest)
    fields.pop("digest")
    return sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False).encode("utf-8"))


def read_manifest(path: Path) -> Manifest:
    """Read a version's manifest and check its format and digest."""
    try:
        raw = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            found = raw.get("format") if isinstance(raw, dict) else None
            raise IndexMismatchError(f"{path}: index format {found}, this assist reads format {FORMAT}; "
                                     "rebuild with `assist index build`")
        manifest = Manifest(**raw)
    except FileNotFoundError as exc:
        raise IndexMismatchError(f"{path}: no {MANIFEST}; not a complete index version") from exc
    except OSError as exc:
        raise IndexMismatchError(f"{path / MANIFEST}: cannot read ({exc.strerror})") from exc
    except (ValueError, TypeError) as exc:
        raise IndexMismatchError(f"{path / MANIFEST}: unreadable manifest ({exc})") from exc
    if manifest.digest != _digest(manifest):
        raise IndexMismatchError(f"{path / MANIFEST}: manifest digest does not match its contents "
                                 "(edited or damaged)")
    return manifest
