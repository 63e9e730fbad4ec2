"""Realistic history without a live contact centre: a labelled set played through a running service exactly as
agent desktops would use it, over its public HTTP API.

For each query: `POST /v1/suggest` with the transcript so far; when a shown answer holds the gold answer (the
scorer's rule: a passage holding ≥ 80 % of the gold answer's words), the agent uses it (`used`, its rank);
otherwise the agent searches for what the customer said (`POST /v1/search`) and uses the first result holding the
gold answer (`used` with its `passage_id`); when neither has it, the agent gives no feedback. What the service
stores is what `assist learn` fits on.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from assist.limits import MAX_TURN_CHARS
from assist_eval.doc2dial import BenchQuery, covers

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


def replay(desktop: Desktop, queries: Iterable[BenchQuery], segment: str = "standard",
           progress: Callable[[Played], None] | None = None) -> Played:
    """Play each query and the feedback its gold answer implies; what was done, counted."""
    played = Played()
    for query in queries:
        transcript = [{"speaker": t.speaker, "text": t.text} for t in query.transcript]
        suggestion = desktop.post("/v1/suggest", {"conversation_id": query.qid, "limit": SHOWN,
                                                  "customer": {"id": "replay", "segment": segment},
                                                  "transcript": transcript})
        played.queries += 1
        rank = _holding(suggestion.get("answers", []), query)
        if rank is not None:
            desktop.post("/v1/feedback", {"suggestion_id": suggestion["suggestion_id"], "event": "used", "rank": rank})
            played.used_shown += 1
            played.by_rank[rank] = played.by_rank.get(rank, 0) + 1
        else:
            said = next((t.text for t in reversed(query.transcript) if t.speaker == "customer"), "")
            found = desktop.post("/v1/search", {"query": said[:MAX_TURN_CHARS], "limit": SEARCHED,
                                                "customer": {"id": "replay", "segment": segment}}) if said else {}
            hit = _holding(found.get("answers", []), query)
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


def _holding(answers: list[dict[str, Any]], query: BenchQuery) -> int | None:
    """The 1-based rank of the first answer holding a gold answer, if any."""
    for rank, answer in enumerate(answers, start=1):
        if any(covers(answer.get("passage", ""), gold) for gold in query.gold_answers):
            return rank
    return None
