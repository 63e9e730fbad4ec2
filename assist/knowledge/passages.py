"""Article → passages: sections by heading path, then bounded chunks on block and sentence boundaries."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

from assist.knowledge.articles import Article

MAX_CHARS = 1200
# Small passages match precisely; answers are shown with their neighbours (see retrieval.Tuning.display_chars).
DEFAULT_TARGET = 450
SECTION_SEPARATOR = " > "
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")
# Lines that start a list item or a table row: an agent reads them as separate lines.
_OWN_LINE = re.compile(r"\s*(?:[-*+]|\d{1,9}[.)])\s|\s*\|")
_PARSER = MarkdownIt("commonmark").enable("table")


@dataclass(frozen=True)
class Passage:
    """A bounded piece of one article: what the agent reads and what the index embeds."""

    article_id: str
    ordinal: int
    section: str
    text: str
    routing: bool = False  # from the article's routing fields: matched, never shown

    @property
    def key(self) -> str:
        """Stable identity of the passage inside its index version."""
        return f"{self.article_id}#{self.ordinal}"


def article_of(passage_key: str) -> str:
    """The id of the article a passage key (`Passage.key`: article_id#ordinal) belongs to."""
    return passage_key.rpartition("#")[0]


@dataclass(frozen=True)
class _Block:
    section: str
    text: str


def _blocks(body: str) -> list[_Block]:
    """Top-level markdown blocks with the heading path they sit under; headings become the path."""
    lines = body.splitlines()
    tokens = _PARSER.parse(body)
    path: list[tuple[int, str]] = []
    blocks: list[_Block] = []
    used = [False] * len(lines)
    for index, token in enumerate(tokens):
        if token.level != 0 or token.map is None or token.nesting == -1:
            continue
        start, end = token.map
        for n in range(start, end):
            used[n] = True
        if token.type == "heading_open":
            depth = int(token.tag[1:])
            path = [(d, t) for d, t in path if d < depth]
            path.append((depth, tokens[index + 1].content.strip()))
            continue
        section = SECTION_SEPARATOR.join(t for _, t in path)
        blocks.append(_Block(section, "\n".join(lines[start:end]).strip()))
    # Lines markdown-it consumes without a block (e.g. link reference definitions) must not be lost.
    stray = [line for n, line in enumerate(lines) if not used[n] and line.strip()]
    if stray:
        blocks.append(_Block(SECTION_SEPARATOR.join(t for _, t in path), "\n".join(stray).strip()))
    return [b for b in blocks if b.text]


def _pieces(text: str, limit: int) -> list[tuple[str, str]]:
    """Cut one over-long block into (joiner, part) pairs of at most `limit` chars: list items and table rows
    (joined by a line break, so they stay on their own lines), then sentences, words, characters (a space)."""
    parts: list[tuple[str, str]] = []
    for line in text.split("\n"):
        joiner = "\n" if _OWN_LINE.match(line) else " "
        for sentence in [line] if len(line) <= limit else _SENTENCE_END.split(line):
            if len(sentence) <= limit:
                parts.append((joiner, sentence))
            else:
                for word in sentence.split():
                    parts.extend((joiner, word[i : i + limit]) for i in range(0, len(word), limit))
            joiner = " "
    return [(j, p) for j, p in parts if p.strip()]


def _pack(parts: list[tuple[str, str]], target: int) -> list[str]:
    """Greedily join consecutive (joiner, text) parts while the result stays within `target` characters."""
    chunks: list[str] = []
    current = ""
    for joiner, part in parts:
        candidate = f"{current}{joiner}{part}" if current else part
        if len(candidate) <= target:
            current = candidate
        else:
            if current:
                chunks.append(current)
            current = part
    if current:
        chunks.append(current)
    return chunks


def split_article(article: Article, target: int = DEFAULT_TARGET) -> list[Passage]:
    """Split an article into passages of at most MAX_CHARS: its routing text first (flagged `routing`), then the
    whole body in order."""
    if not 0 < target <= MAX_CHARS:
        raise ValueError(f"passage target must be in 1..{MAX_CHARS}, got {target}")
    passages: list[Passage] = []
    if article.outside:  # matters unrelated to each other (jobs, shares, the weather): each phrase on its own
        routing = [text for text in (article.use_when, *article.asked_as) if text]
    else:
        routing = [article.routing] if article.routing else []
    for said in routing:
        pieces = [("", said)] if len(said) <= target else _pieces(said, target)
        for text in _pack(pieces, target):
            passages.append(Passage(article.id, len(passages), "", text, routing=True))
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    for block in _blocks(article.body):
        pieces = [("", block.text)] if len(block.text) <= target else _pieces(block.text, target)
        # Separate blocks stay separate paragraphs; inside a block, list items keep their own lines.
        parts = [("\n\n" if i == 0 else joiner, piece) for i, (joiner, piece) in enumerate(pieces)]
        if sections and sections[-1][0] == block.section:
            sections[-1][1].extend(parts)
        else:
            sections.append((block.section, parts))
    for section, parts in sections:
        for text in _pack(parts, target):
            passages.append(Passage(article.id, len(passages), section, text))
    return passages
