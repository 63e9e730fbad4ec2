"""Realistic history without a live contact centre: a labelled set played through a running service exactly as
agent desktops would use it, over its public HTTP API.

For each labelled moment: `POST /v1/suggest` with the transcript so far; when a shown answer is the right one, the
agent uses it (`used`, its rank); otherwise the agent searches for what the customer said (`POST /v1/search`) and
uses the first right result (`used` with its `passage_id`); when neither has it, the agent gives no feedback. What
the service stores is what `assist learn` fits on.

The right answer: for a Doc2Dial query, a passage holding the gold answer (the scorer's rule, ≥ 80 % of its
words); for a whole call (bench/README.md's calls format), each customer turn labelled with a subflow, an answer
from an article of that subflow (its `subflow` front matter, read from the knowledge tree).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assist.call import Turn
from assist.knowledge.articles import load_catalog
from assist.limits import MAX_TURN_CHARS
from assist_eval.doc2dial import BenchQuery, covers

Right = Callable[[dict[str, Any]], bool]  # whether an answer (as the API returns it) is what the agent needs


@dataclass(frozen=True)
class Moment:
    """One labelled moment of a call: the transcript up to a customer turn, who is on it, and the right answer."""

    conversation_id: str
    transcript: tuple[Turn, ...]
    customer: dict[str, Any]
    agent: dict[str, Any] | None
    right: Right


def doc2dial_moments(queries: Iterable[BenchQuery], segment: str = "standard") -> list[Moment]:
    """Doc2Dial queries: the right answer holds a gold answer."""
    def holding(query: BenchQuery) -> Right:
        return lambda answer: any(covers(answer.get("passage", ""), g) for g in query.gold_answers)

    return [Moment(q.qid, q.transcript, {"id": "replay", "segment": segment}, None, holding(q)) for q in queries]


def call_moments(path: Path, knowledge: Path) -> list[Moment]:
    """Whole calls: each customer turn labelled with a subflow; the right answer comes from an article of it."""
    articles: dict[str, set[str]] = defaultdict(set)
    for article in load_catalog(knowledge).articles:
        if article.metadata.get("subflow"):
            articles[str(article.metadata["subflow"])].add(article.id)
    moments = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            call = json.loads(line)
            turns = tuple(Turn(t["speaker"], t["text"]) for t in call["turns"])
            for label in call["labels"]:
                wanted = frozenset(articles.get(label.get("subflow") or "", ()))
                if wanted:
                    moments.append(Moment(str(call["call"]), turns[: label["turn"] + 1], call["customer"],
                                          call.get("agent"), _from(wanted)))
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise ValueError(f"{path}:{number}: bad call line ({exc})") from exc
    return moments

SHOWN = 5  # answers an agent's desk shows
SEARCHED = 10  # results an agent looks through after a search
TIMEOUT_SECONDS = 30


class ReplayError(Exception):
    """The service refused or could not be reached: the replay stops, naming the request."""


@dataclass
class Played:
    """What a replay did."""

    queries: int = 0
    used_shown: int = 0  # a shown answer held the gold answer
    used_found: int = 0  # no shown answer did; a search found it
    missed: int = 0  # neither: no feedback
    by_rank: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Desktop:
    """An agent desktop talking to one service."""

    url: str
    key: str | None = None

    def post(self, path: str, body: dict[str, Any]) -> Any:
        headers = {"content-type": "application/json", **({"x-api-key": self.key} if self.key else {})}
        request = urllib.request.Request(self.url.rstrip("/") + path, data=json.dumps(body).encode(), headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:300]
            raise ReplayError(f"POST {path}: HTTP {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise ReplayError(f"POST {path}: {exc}") from exc


def _from(articles: frozenset[str]) -> Right:
    """Right when the answer comes from one of `articles`."""
    return lambda answer: answer.get("article_id") in articles


def replay(desktop: Desktop, moments: Iterable[Moment], progress: Callable[[Played], None] | None = None) -> Played:
    """Play each moment and the feedback its label implies; what was done, counted."""
    played = Played()
    for moment in moments:
        transcript = [{"speaker": t.speaker, "text": t.text} for t in moment.transcript]
        suggestion = desktop.post("/v1/suggest", {"conversation_id": moment.conversation_id, "limit": SHOWN,
                                                  "customer": moment.customer, "transcript": transcript,
                                                  **({"agent": moment.agent} if moment.agent else {})})
        played.queries += 1
        rank = _right(suggestion.get("answers", []), moment.right)
        if rank is not None:
            desktop.post("/v1/feedback", {"suggestion_id": suggestion["suggestion_id"], "event": "used", "rank": rank})
            played.used_shown += 1
            played.by_rank[rank] = played.by_rank.get(rank, 0) + 1
        else:
            said = next((t.text for t in reversed(moment.transcript) if t.speaker == "customer"), "")
            found = desktop.post("/v1/search", {"query": said[:MAX_TURN_CHARS], "limit": SEARCHED,
                                                "customer": moment.customer}) if said.strip() else {}
            hit = _right(found.get("answers", []), moment.right)
            if hit is None:
                played.missed += 1
            else:
                passage = found["answers"][hit - 1]["passage_id"]
                desktop.post("/v1/feedback", {"suggestion_id": suggestion["suggestion_id"], "event": "used",
                                              "passage_id": passage})
                played.used_found += 1
        if progress is not None:
            progress(played)
    return played


def _right(answers: list[dict[str, Any]], right: Right) -> int | None:
    """The 1-based rank of the first right answer, if any."""
    return next((rank for rank, answer in enumerate(answers, start=1) if right(answer)), None)
