"""Knowledge-base hygiene: near-duplicate articles, articles with nothing to read, titles used twice, routing
text left in a body."""

from __future__ import annotations

import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from assist.errors import Problem
from assist.knowledge.articles import Article, Catalog, load_catalog
from assist.knowledge.frontmatter import KNOWN_FIELDS, field_line
from assist.knowledge.passages import split_article
from assist.knowledge.words import word_runs

# Doc2Dial's 27 copied articles score 0.898 and above, the closest distinct pair (two PLUS loan applications
# sharing their boilerplate) 0.759: 0.8 keeps a margin on both sides and tolerates a few edited sentences.
DEFAULT_THRESHOLD = 0.8
SHINGLE_WORDS = 5
# A passage an agent could read holds at least this many words once markup is taken out.
MIN_WORDS = 3

# What is left of a passage that an agent cannot read as text: headings, rules and fences, links and images,
# link definitions, bare URLs, HTML tags and comments, and front matter fields that ended up in the body.
_MARKUP = re.compile(
    "|".join(
        [
            r"^[ \t]{0,3}#{1,6}(?:[ \t].*)?$",
            r"^[ \t]*(?:[-=*_][ \t]*){3,}$",
            r"!?\[[^\]\n]*\](?:\([^)\n]*\)|\[[^\]\n]*\])",
            r"^[ \t]*\[[^\]\n]+\]:.*$",
            r"<?https?://\S+",
            r"<!--[\s\S]*?-->",
            r"</?[A-Za-z][^>\n]*>",
            rf"^[ \t]*(?:{'|'.join(sorted(KNOWN_FIELDS))}|source):.*$",
        ]
    ),
    re.MULTILINE,
)
_PUNCTUATION = re.compile(r"[\W_]+")
# How editors open routing text: "Use this article when…", "Customers usually put it as: …".
_ROUTING = re.compile(r"\s*(?:use this article\b|customers (?:usually |often )?(?:put|say|ask) it)", re.IGNORECASE)


def hygiene_problems(articles: Sequence[Article], threshold: float = DEFAULT_THRESHOLD) -> list[Problem]:
    """Warnings for near-duplicate articles, articles with no readable text and titles used twice."""
    if not 0 < threshold <= 1:
        raise ValueError(f"similarity threshold must be in (0, 1], got {threshold}")
    problems = (near_duplicates(articles, threshold) + unreadable(articles) + title_collisions(articles)
                + routing_in_body(articles))
    return sorted(problems, key=lambda p: (str(p.path), p.line, p.message))


def check_articles(directory: Path, max_article_bytes: int) -> tuple[Catalog, list[Problem], list[Problem]]:
    """A tree's catalog, the problems of its article files (bad files, ids used twice), and its hygiene warnings."""
    catalog = load_catalog(directory, max_article_bytes=max_article_bytes)
    return catalog, [*catalog.problems, *catalog.conflicts], hygiene_problems(catalog.articles)


def near_duplicates(articles: Sequence[Article], threshold: float = DEFAULT_THRESHOLD) -> list[Problem]:
    """A warning on the later of every two articles whose word shingles overlap by at least `threshold` (Jaccard)."""
    sets = [shingles(a.body) for a in articles]
    names = _short_names(articles)
    problems: list[Problem] = []
    for i, j in sorted(_candidates(sets, threshold)):
        similarity = len(sets[i] & sets[j]) / len(sets[i] | sets[j])
        if similarity >= threshold:
            message = (f"{names[i]} and {names[j]} are {math.floor(similarity * 100)} % the same; "
                       "merge them or say how they differ")
            problems.append(Problem(articles[j].path, 1, message, severity="warning"))
    return problems


def shingles(body: str, size: int = SHINGLE_WORDS) -> frozenset[str]:
    """The runs of `size` consecutive lower-cased words of a body; a shorter body is one run."""
    words = word_runs(body.lower())
    if len(words) <= size:
        return frozenset([" ".join(words)] if words else [])
    return frozenset(" ".join(words[n : n + size]) for n in range(len(words) - size + 1))


def _candidates(sets: list[frozenset[str]], threshold: float) -> set[tuple[int, int]]:
    """Pairs that may reach `threshold`, by prefix filtering: with shingles ordered rarest first, two sets that
    similar must share one of the first |s| - ceil(threshold * |s|) + 1 shingles of each, so only those are
    indexed and common boilerplate never pairs every article with every other."""
    frequency = Counter(s for shingle_set in sets for s in shingle_set)
    index: dict[str, list[int]] = defaultdict(list)
    pairs: set[tuple[int, int]] = set()
    for i in sorted(range(len(sets)), key=lambda n: len(sets[n])):
        ordered = sorted(sets[i], key=lambda s: (frequency[s], s))
        prefix = len(ordered) - math.ceil(threshold * len(ordered) - 1e-9) + 1
        for shingle in ordered[:prefix]:
            for j in index[shingle]:
                if len(sets[j]) >= threshold * len(sets[i]) - 1e-9:  # sizes too far apart cannot be that similar
                    pairs.add((min(i, j), max(i, j)))
            index[shingle].append(i)
    return pairs


def unreadable(articles: Sequence[Article]) -> list[Problem]:
    """A warning on every article none of whose passages (routing text aside) holds MIN_WORDS words outside
    headings and markup."""
    return [
        Problem(a.path, a.body_line, "no text an agent could read: the body is empty or only headings, links "
                                     "and markup", severity="warning")
        for a in articles
        if not any(readable(p.text) for p in split_article(a) if not p.routing)
    ]


def routing_in_body(articles: Sequence[Article]) -> list[Problem]:
    """A warning on every article whose body opens with routing text ("Use this article when…"): an agent would
    read it as the answer; it belongs in the front matter's `use_when` and `asked_as`."""
    return [
        Problem(a.path, a.body_line, "the body opens with routing text, which agents would see as the answer: move "
                                     "it to the front matter's use_when (and the sample phrasings to asked_as)",
                severity="warning")
        for a in articles if _ROUTING.match(a.body)
    ]


def readable(text: str) -> bool:
    """Whether a passage holds MIN_WORDS words once headings, links, URLs, HTML and front matter are taken out."""
    return len(word_runs(_MARKUP.sub(" ", text))) >= MIN_WORDS


def title_collisions(articles: Sequence[Article]) -> list[Problem]:
    """A warning on every article whose title, ignoring case, spacing and punctuation, an earlier one has."""
    names = _short_names(articles)
    first: dict[str, int] = {}
    problems: list[Problem] = []
    for n, article in enumerate(articles):
        key = normal_title(article.title)
        if key in first:
            message = f"title {article.title!r} is also the title of {names[first[key]]}"
            problems.append(Problem(article.path, field_line(article.path, "title"), message, severity="warning"))
        else:
            first[key] = n
    return problems


def normal_title(title: str) -> str:
    """A title without case, punctuation or extra spacing: what a reader would call the same title."""
    return " ".join(_PUNCTUATION.sub(" ", title.casefold()).split())


def _short_names(articles: Sequence[Article]) -> list[str]:
    """Article paths relative to the folder they all sit under: short, and still unique."""
    if not articles:
        return []
    base = Path(os.path.commonpath([a.path.parent for a in articles]))
    return [a.path.relative_to(base).as_posix() for a in articles]

