"""A large knowledge base for the benchmark: copies of the Doc2Dial articles, each copy's sentences shuffled.

Copy 0 is every source article as it is (same id, same bytes), so the real Doc2Dial queries still have their
gold article. Copy k ≥ 1 of article `x` is `x-cKK`: the same front matter under the new id, and a body whose
prose sentences are shuffled across the article (seeded by the seed, the id and k, so a rerun writes the same
bytes). Copies are added article by article until the project's own splitter counts the wanted passages.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assist.knowledge.articles import article_paths, parse_article
from assist.knowledge.passages import DEFAULT_TARGET, split_article

# Where a sentence ends: after . ! or ? followed by white space (the split never leaves one inside a piece).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_TERMINATED = re.compile(r"[.!?]$")
# Lines whose first characters carry markdown structure stay where they are, untouched.
_STRUCTURE = re.compile(r"(\s{4}|\t|#|>|\||[-*+]\s|\d+[.)]\s|```|~~~|\[[^\]]*\]:)")
_FRONT_ID = re.compile(r"(?m)^id:.*$")


@dataclass(frozen=True)
class Corpus:
    """What was written: how many articles and passages, and how many copies of the source were begun."""

    articles: int
    passages: int
    copies: int
    source_articles: int


def copy_id(article_id: str, copy: int) -> str:
    """The id of copy `copy` of an article; copy 0 keeps the original id."""
    return article_id if copy == 0 else f"{article_id}-c{copy:02d}"


def split_sentences(line: str) -> list[str]:
    """The sentences of one line of prose, in order."""
    return [s for s in _SENTENCE_END.split(line.strip()) if s]


def is_prose(line: str) -> bool:
    """A non-blank line without markdown structure at its start: its sentences may move."""
    return bool(line.strip()) and _STRUCTURE.match(line) is None


def shuffle_sentences(body: str, rng: random.Random) -> str:
    """Shuffle the article's terminated sentences across its prose lines; everything else stays in place.

    Each prose line keeps its number of terminated sentences and its unterminated tail (a heading-like
    line, a trailing fragment), so the result splits back into exactly the same multiset of sentences.
    """
    lines = body.split("\n")
    shapes: dict[int, tuple[int, str | None]] = {}
    pool: list[str] = []
    for number, line in enumerate(lines):
        if not is_prose(line):
            continue
        sentences = split_sentences(line)
        tail = sentences.pop() if sentences and not _TERMINATED.search(sentences[-1]) else None
        shapes[number] = (len(sentences), tail)
        pool.extend(sentences)
    rng.shuffle(pool)
    taken = 0
    for number, (count, tail) in shapes.items():
        lines[number] = " ".join([*pool[taken : taken + count], *([tail] if tail else [])])
        taken += count
    return "\n".join(lines)


def copy_text(raw: str, article_id: str, copy: int, seed: int) -> str:
    """The file text of copy `copy` of an article file: copy 0 is `raw` itself."""
    if copy == 0:
        return raw
    lines = raw.splitlines(keepends=True)
    close = next(n for n, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    front = _FRONT_ID.sub(f"id: {copy_id(article_id, copy)}", "".join(lines[: close + 1]), count=1)
    rng = random.Random(f"{seed}:{article_id}:{copy}")
    return front + shuffle_sentences("".join(lines[close + 1 :]), rng)


def make_corpus(
    source: Path, dest: Path, passages: int, seed: int = 7, target: int = DEFAULT_TARGET,
    on_progress: Callable[[int], None] | None = None,
) -> Corpus:
    """Write copies of the articles under `source` into `dest` (same sub-folders) until ≈ `passages`."""
    if passages < 1:
        raise ValueError(f"passages must be at least 1, got {passages}")
    sources = [(path, parse_article(path)) for path in article_paths(source)]
    if not sources:
        raise ValueError(f"no articles under {source}")
    written = counted = copy = 0
    while counted < passages:
        for path, article in sources:
            if counted >= passages:
                break
            text = copy_text(path.read_text(encoding="utf-8"), article.id, copy, seed)
            target_path = dest / path.parent.relative_to(source) / f"{copy_id(article.id, copy)}.md"
            counted += len(split_article(parse_article(target_path, text), target))
            target_path.parent.mkdir(parents=True, exist_ok=True)
            target_path.write_text(text, encoding="utf-8")
            written += 1
            if on_progress is not None:
                on_progress(counted)
        copy += 1
    return Corpus(articles=written, passages=counted, copies=copy, source_articles=len(sources))
