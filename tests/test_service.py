from __future__ import annotations

import datetime as dt
import gc
import shutil
import time
import weakref
from pathlib import Path

import pytest

from assist.call import Call, Turn
from assist.deadline import Deadline
from assist.errors import DeadlineExceededError, IndexMismatchError, IndexNotFoundError
from assist.index import versions
from assist.index.build import build_index
from assist.index.embedder import Embedder
from assist.index.files import VECTORS
from assist.index.update import update_index
from assist.knowledge.articles import load_catalog
from assist.retrieval import rankers
from assist.retrieval.query import Window
from assist.retrieval.tuning import Tuning
from assist.service import KnowledgeService
from assist.watcher import Watcher

from .conftest import FIXTURE_KB

STAIN = Call(issue="can I return a shirt that arrived stained")


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, target)
    return target


def _publish(knowledge: Path, embedder: Embedder, index_dir: Path, edition: int) -> str:
    path = knowledge / "returns-stain.md"
    path.write_text(path.read_text() + f"\nEdition {edition}.\n")
    version = update_index(load_catalog(knowledge), embedder, index_dir).version
    assert version is not None
    return version


def _corrupt(index_dir: Path, version: str) -> None:
    path = versions.version_path(index_dir, version) / VECTORS
    path.write_bytes(path.read_bytes()[:-16])


def test_reload_swaps_to_the_new_version_and_names_it_in_every_suggestion(
    knowledge: Path, tmp_path: Path, embedder: Embedder
) -> None:
    index_dir = tmp_path / "indexes"
    first = build_index(load_catalog(knowledge), embedder, index_dir)
    service = KnowledgeService(index_dir, embedder)
    assert service.start() == first
    second = _publish(knowledge, embedder, index_dir, 1)
    assert service.pointer_changed()
    outcome = service.reload()
    assert (outcome.previous, outcome.version, outcome.changed) == (first, second, True)
    assert service.suggest(STAIN, 3).index_version == second
    assert not service.reload().changed
    assert service.reloads == 2


def test_a_request_holding_the_old_snapshot_finishes_on_the_old_version(
    knowledge: Path, tmp_path: Path, embedder: Embedder
) -> None:
    index_dir = tmp_path / "indexes"
    first = build_index(load_catalog(knowledge), embedder, index_dir)
    service = KnowledgeService(index_dir, embedder)
    service.start()
    in_flight = service.snapshot
    assert in_flight is not None
    _publish(knowledge, embedder, index_dir, 1)
    service.reload()
    assert in_flight.index.version == first
    ranking = in_flight.retriever.rank(STAIN, 3, dt.date.today())
    assert ranking.answers[0].article.id == "returns-stain"


def test_a_version_failing_verification_is_refused_and_the_old_one_keeps_serving(
    knowledge: Path, tmp_path: Path, embedder: Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    index_dir = tmp_path / "indexes"
    first = build_index(load_catalog(knowledge), embedder, index_dir)
    service = KnowledgeService(index_dir, embedder)
    service.start()
    second = _publish(knowledge, embedder, index_dir, 1)
    _corrupt(index_dir, second)
    with pytest.raises(IndexMismatchError, match="checksum"):
        service.reload()
    assert service.suggest(STAIN, 3).index_version == first
    assert service.refused is not None and service.refused.version == second
    assert service.reload_failures == 1
    assert not service.pointer_changed()  # the watcher will not retry it every tick
    assert any(r.message == "index version refused" and r.levelname == "ERROR" for r in caplog.records)


def test_start_serves_the_newest_valid_version_when_current_is_corrupted(
    knowledge: Path, tmp_path: Path, embedder: Embedder
) -> None:
    index_dir = tmp_path / "indexes"
    first = build_index(load_catalog(knowledge), embedder, index_dir)
    second = _publish(knowledge, embedder, index_dir, 1)
    _corrupt(index_dir, second)
    service = KnowledgeService(index_dir, embedder)
    assert service.start() == first
    assert service.refused is not None and service.refused.version == second


def test_start_remembers_why_current_was_refused_even_when_older_versions_fail_too(
    knowledge: Path, tmp_path: Path, embedder: Embedder
) -> None:
    index_dir = tmp_path / "indexes"
    first = build_index(load_catalog(knowledge), embedder, index_dir)
    second = _publish(knowledge, embedder, index_dir, 1)
    third = _publish(knowledge, embedder, index_dir, 2)
    _corrupt(index_dir, third)
    _corrupt(index_dir, second)
    service = KnowledgeService(index_dir, embedder)
    assert service.start() == first
    assert service.refused is not None and service.refused.version == third
    assert not service.pointer_changed()


def test_start_with_nothing_valid_serves_nothing(knowledge: Path, tmp_path: Path, embedder: Embedder) -> None:
    index_dir = tmp_path / "indexes"
    only = build_index(load_catalog(knowledge), embedder, index_dir)
    _corrupt(index_dir, only)
    service = KnowledgeService(index_dir, embedder)
    assert service.start() is None
    with pytest.raises(IndexNotFoundError):
        service.suggest(STAIN, 3)


def test_start_removes_staging_directories_left_by_a_dead_build(index_dir: Path, embedder: Embedder) -> None:
    versions.staging_dir(index_dir)
    KnowledgeService(index_dir, embedder).start()
    assert not list(index_dir.glob(".staging-*"))


def test_watcher_check_reloads_only_when_the_pointer_moves(
    knowledge: Path, tmp_path: Path, embedder: Embedder
) -> None:
    index_dir = tmp_path / "indexes"
    build_index(load_catalog(knowledge), embedder, index_dir)
    service = KnowledgeService(index_dir, embedder)
    service.start()
    watcher = Watcher(service, interval=60)
    assert not watcher.check()
    second = _publish(knowledge, embedder, index_dir, 1)
    assert watcher.check()
    assert service.version == second
    third = _publish(knowledge, embedder, index_dir, 2)
    _corrupt(index_dir, third)
    assert not watcher.check()
    assert service.version == second


def test_watcher_thread_picks_up_a_publish_and_stops(knowledge: Path, tmp_path: Path, embedder: Embedder) -> None:
    index_dir = tmp_path / "indexes"
    build_index(load_catalog(knowledge), embedder, index_dir)
    service = KnowledgeService(index_dir, embedder)
    service.start()
    watcher = Watcher(service, interval=0.02)
    watcher.start()
    try:
        second = _publish(knowledge, embedder, index_dir, 1)
        deadline = time.monotonic() + 30  # a hang guard, not a timing assertion
        while service.version != second and time.monotonic() < deadline:
            time.sleep(0.01)
        assert service.version == second
    finally:
        watcher.stop()
    assert not watcher.running


def test_watcher_refuses_a_non_positive_interval(index_dir: Path, embedder: Embedder) -> None:
    with pytest.raises(ValueError, match="positive"):
        Watcher(KnowledgeService(index_dir, embedder), interval=0)


def test_a_retired_retriever_is_freed_after_a_reload(knowledge: Path, tmp_path: Path, embedder: Embedder) -> None:
    index_dir = tmp_path / "indexes"
    build_index(load_catalog(knowledge), embedder, index_dir)
    service = KnowledgeService(index_dir, embedder)
    service.start()
    assert service.snapshot is not None
    retired = weakref.ref(service.snapshot.retriever)
    service.suggest(Call(issue="stained shirt", segment="gold", filters={"domain": "retail"}), 3)  # fills caches
    _publish(knowledge, embedder, index_dir, 1)
    service.reload()
    gc.collect()
    assert retired() is None, "something still holds the retired retriever and its index"


class _Recording:
    """The real embedder, remembering every text it was asked to encode."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self.texts: list[str] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self._embedder, name)

    def encode(self, texts: list[str], *args: object, **kwargs: object) -> object:
        self.texts.extend(texts)
        return self._embedder.encode(texts, *args, **kwargs)  # type: ignore[arg-type]


def test_a_huge_transcript_embeds_only_the_reading_window(index_dir: Path, embedder: Embedder) -> None:
    recording = _Recording(embedder)
    service = KnowledgeService(index_dir, recording, Tuning(window=Window(turns=24, turn_chars=2000, chars=12000)))  # type: ignore[arg-type]
    service.start()
    recording.texts.clear()
    turns = tuple(Turn("customer" if i % 2 else "agent", f"turn {i}: " + "return a stained shirt " * 220)
                  for i in range(200))  # 200 distinct turns of ~5,000 characters: within the API contract
    assert service.suggest(Call(transcript=turns), 3).answers
    assert len(recording.texts) <= 7  # the opening turn and the latest turns that fit 12,000 characters
    assert sum(len(t) for t in recording.texts) <= 12000 + 2000


def test_a_suggestion_past_its_deadline_is_refused(index_dir: Path, embedder: Embedder) -> None:
    service = KnowledgeService(index_dir, embedder)
    service.start()
    expired = Deadline(1.0, started=time.monotonic() - 2)
    with pytest.raises(DeadlineExceededError, match="deadline of 1 s passed before"):
        service.suggest(STAIN, 3, deadline=expired)
    assert service.suggest(STAIN, 3, deadline=Deadline(60)).answers


def test_blank_customer_turns_state_no_need_and_are_never_ranked_on_their_own(
    index_dir: Path, embedder: Embedder
) -> None:
    service = KnowledgeService(index_dir, embedder)
    service.start()
    for blank in (Call(transcript=(Turn("agent", "0"), Turn("customer", ""), Turn("customer", "  "))),
                  Call(issue="0", transcript=(Turn("agent", ""), Turn("customer", "")))):
        suggestion = service.suggest(blank, 3)
        assert suggestion.procedure is None and not suggestion.empowerment


def test_a_published_ranker_is_served_at_the_next_check_and_a_damaged_one_is_refused_by_name(
        index_dir: Path, embedder: Embedder) -> None:
    from assist.learning.fitting import fit
    from tests.learning.fixtures import example

    service = KnowledgeService(index_dir, embedder)
    service.start()
    hand = service.suggest(STAIN, 3)
    assert service.ranker is None and hand.candidates is not None and hand.candidates.passages
    weights = dict(Tuning().weights)
    meta = {"weights": weights, "domains": ["retail"]}
    model = fit([example(n, "from_said") for n in range(100)], weights).model
    now = dt.datetime.now(dt.UTC)
    first = rankers.write(index_dir, model, meta, live=True, now=now)
    watcher = Watcher(service, interval=60)
    assert watcher.check()
    assert service.ranker == first.name and service.version == hand.index_version
    learned = service.suggest(STAIN, 3)
    assert learned.answers and learned.index_version == hand.index_version
    damaged = rankers.write(index_dir, model, meta, live=False, now=now + dt.timedelta(seconds=1))
    (rankers.root(index_dir) / "versions" / damaged.name / rankers.MODEL).write_text("not a model")
    versions.set_current(rankers.root(index_dir), damaged.name)
    assert not watcher.check()  # refused: the learned ranker it had keeps serving
    assert service.ranker == first.name
    assert service.ranker_refused is not None and service.ranker_refused.version == damaged.name
    assert not service.pointer_changed()  # not retried until the pointer moves
    rankers.rollback(index_dir, to=first.name)
    rankers.rollback(index_dir)
    assert watcher.check() and service.ranker is None and service.ranker_refused is None
