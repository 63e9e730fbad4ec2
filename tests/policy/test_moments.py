from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

from assist.call import Turn
from assist.policy.cues import CueClock
from assist.policy.files.moments import load_moments
from assist.policy.moments import Sighting, find_moments
from tests.conftest import DATA, KNOWLEDGE

REDOS = DATA / "redos"
ALMOST = "a" * 60 + "!"


def test_moments_file_with_a_nested_repeat_cue_is_refused_on_the_cue_line() -> None:
    book, problems = load_moments(REDOS / "moments.yaml")
    assert [(p.path.name, p.line) for p in problems] == [("moments.yaml", 9)]
    assert "inside another unbounded repeat" in problems[0].message
    assert book.moments == ()


def test_bundled_moments_have_no_cue_the_check_refuses() -> None:
    _, problems = load_moments(KNOWLEDGE / "policies" / "moments.yaml")
    assert problems == []


def test_a_backtracking_cue_is_abandoned_when_the_request_budget_is_spent(caplog: pytest.LogCaptureFixture) -> None:
    book, problems = load_moments(REDOS / "slow-moments.yaml")
    assert problems == []
    turns = (Turn("customer", ALMOST), Turn("customer", "aaaa"))
    found: list[list[Sighting]] = []
    work = threading.Thread(target=lambda: found.append(find_moments(turns, book, CueClock(0.05))), daemon=True)
    with caplog.at_level(logging.WARNING, logger="assist.policy.cues"):
        work.start()
        work.join(30)  # a hang guard: without the budget this match runs for years
    assert not work.is_alive()
    assert found == [[]]  # out of time: the cue is skipped, never guessed
    assert "cue matching ran out of time" in caplog.text


def test_cues_read_only_the_first_cue_chars_of_a_turn() -> None:
    book, _ = load_moments(KNOWLEDGE / "policies" / "moments.yaml")
    turn = Turn("customer", "x" * 3000 + " we just moved to a new house")
    assert find_moments((turn,), book, CueClock(1, max_chars=2000)) == []
    assert [s.moment.id for s in find_moments((turn,), book, CueClock(1, max_chars=4000))] == ["move"]


def test_a_moment_id_used_twice_is_refused_on_the_second_one(tmp_path: Path) -> None:
    path = tmp_path / "moments.yaml"
    moment = "  - id: move\n    kind: life-event\n    label: Wish them well\n    cues: [moved]\n"
    path.write_text("moments:\n" + moment + moment)
    book, problems = load_moments(path)
    assert [str(p) for p in problems] == [f"{path}:6: moments[1]: duplicate moment id 'move'"]
    assert book.moments == ()


@pytest.mark.parametrize(("said", "moment"), [
    ("can i switch to overnight? my wife's due with our baby any day now", "new-baby"),
    ("thanks. oh and since i have you, im moving next week, can you change the address", "move"),
    ("we just brought our newborn home and the sleepsuits are too small", "new-baby"),
    ("by mail please, I'm not going anywhere with a baby this small", "new-baby"),
    ("we just had twins a couple weeks ago and everything's been chaos", "new-baby"),
    ("my sister's getting hitched in the fall and I'm one of the bridesmaids", "wedding"),
    ("we closed on a house across town last week, so my address needs changing", "move"),
    ("I'm in the middle of packing up my apartment for a move and found boots I never wore", "move"),
    ("I've got a three-week-old on my lap so bear with me", "new-baby"),
    ("I bought it for my grandmother's memorial and only noticed the mark after", "bereavement"),
])
def test_bundled_life_events_said_in_passing_are_noticed(said: str, moment: str) -> None:
    book, _ = load_moments(KNOWLEDGE / "policies" / "moments.yaml")
    assert [s.moment.id for s in find_moments((Turn("customer", said),), book, CueClock())] == [moment]


@pytest.mark.parametrize("said", [
    "I bought it in the Memorial Day sale",
    "there's a charge on my two-week-old order I don't recognise",
])
def test_words_that_look_like_a_life_event_but_are_not_one_are_not_noticed(said: str) -> None:
    book, _ = load_moments(KNOWLEDGE / "policies" / "moments.yaml")
    assert [s.moment.kind for s in find_moments((Turn("customer", said),), book, CueClock())] == []
