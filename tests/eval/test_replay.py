"""`assist eval replay` plays a labelled set through a running service as desktops would, and `assist learn` fits
on what it left: the history is real events in the service's own store, and the ranker it publishes is served by the
running service at its next check, and rolled back the same way."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from assist.call import Turn
from assist.feedback.store import EventStore
from assist.learning.fitting import MIN_EXAMPLES
from assist.learning.history import read_history
from assist_eval.doc2dial import BenchQuery
from assist_eval.replay import Desktop, doc2dial_moments, replay
from tests.conftest import FIXTURE_KB
from tests.served import ASSIST, environment, replica, wait_for

SWITCH_GUARD_S = 30.0  # hang guard: the service names the ranker version CURRENT names


def _labelled_set() -> list[BenchQuery]:
    """Each fixture article's title asked as a question, its body's sentences the gold answers: 60 queries."""
    queries = []
    for path in sorted(FIXTURE_KB.glob("*.md")):
        _, front, body = path.read_text().split("---", 2)
        title = re.search(r"(?m)^title: (.+)$", front)
        sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", body) if len(s.split()) >= 5
                     and not s.strip().startswith(("#", "1.", "2.", "3.", "|"))]
        if title is None or not sentences:
            continue
        for n, sentence in enumerate(sentences):
            queries.append(BenchQuery(f"{path.stem}-{n}", "retail", (Turn("customer", f"{title.group(1)}?"),),
                                      path.stem, (sentence,)))
    return (queries * 24)[:120]


def _ranker_served(base: str) -> str | None:
    return httpx.get(f"{base}/readyz", timeout=5).json().get("ranker_version")


def test_a_replayed_set_is_history_a_learned_ranker_is_fitted_on_and_served_from(tmp_path: Path,
                                                                                   index_dir: Path) -> None:
    knowledge = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, knowledge)  # mtimes kept: the fixture index is up to date, nothing rebuilt
    url = f"sqlite:///{tmp_path / 'data' / 'assist.db'}"
    with replica(knowledge, index_dir, url, tmp_path / "data") as base:
        played = replay(Desktop(base), doc2dial_moments(_labelled_set()))
        assert played.queries == 120
        assert played.used_shown + played.used_found >= MIN_EXAMPLES
        assert played.used_shown + played.used_found + played.missed == 120
        store = EventStore(url)
        history = read_history(store, *_period())
        store.close()
        assert len(history.examples) == played.used_shown + played.used_found - history.not_among
        assert _ranker_served(base) is None
        learn = subprocess.run([ASSIST, "learn", "--force", "--index-dir", str(index_dir)], capture_output=True,
                               text=True, env=environment(url, tmp_path / "data"), timeout=300, check=False)
        assert learn.returncode == 0, learn.stdout + learn.stderr
        name = re.search(r"published (\S+)", " ".join(learn.stdout.split()))
        assert name is not None, learn.stdout
        wait_for(lambda: _ranker_served(base) == name.group(1), SWITCH_GUARD_S,
                 lambda: f"{base} does not serve {name.group(1)}")
        reply = httpx.post(f"{base}/v1/suggest", json={"issue": "my shirt arrived stained"}, timeout=30)
        assert reply.status_code == 200 and reply.json()["answers"]
        back = subprocess.run([ASSIST, "learn", "rollback", "--index-dir", str(index_dir)], capture_output=True,
                              text=True, env=environment(url, tmp_path / "data"), timeout=120, check=False)
        assert back.returncode == 0, back.stdout + back.stderr
        wait_for(lambda: _ranker_served(base) is None, SWITCH_GUARD_S, lambda: f"{base} still serves a ranker")


def _period():  # type: ignore[no-untyped-def]
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    return now - dt.timedelta(days=1), now + dt.timedelta(minutes=1)


def test_a_whole_call_is_a_moment_per_customer_turn_labelled_with_a_subflow(tmp_path: Path) -> None:
    import json

    from assist_eval.replay import call_moments

    call = {"call": "c1", "customer": {"id": "x", "segment": "gold"}, "agent": {"id": "a", "role": "tier1"},
            "turns": [{"speaker": "customer", "text": "my promo code says expired"},
                      {"speaker": "agent", "text": "let me look"}, {"speaker": "customer", "text": "thanks"}],
            "labels": [{"turn": 0, "subflow": "promo_code_out_of_date"}, {"turn": 2, "subflow": None}]}
    path = tmp_path / "calls.jsonl"
    path.write_text(json.dumps(call) + "\n")
    (moment,) = call_moments(path, Path("knowledge"))
    assert moment.conversation_id == "c1" and [t.text for t in moment.transcript] == ["my promo code says expired"]
    assert moment.customer == {"id": "x", "segment": "gold"}
    assert moment.right({"article_id": "promo-code-expired"}) and not moment.right({"article_id": "faq-timing"})
    path.write_text('{"call": "c2", "turns": []}\n')
    with pytest.raises(ValueError, match=r"calls\.jsonl:1: bad call line"):
        call_moments(path, Path("knowledge"))
