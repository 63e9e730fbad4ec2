"""Crash safety: kill -9 a publishing process at random moments, and fail every disk step in turn.

After every crash or injected fault the live version must load, verify and serve; every directory listed
under versions/ must be complete; and whatever a dead writer left behind must be cleaned at the next start.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from assist.call import Call
from assist.index import storage, versions
from assist.index.build import build_index
from assist.index.embedder import Embedder
from assist.index.loaded import verify_version
from assist.index.publishing import rollback
from assist.index.update import update_index
from assist.knowledge.articles import load_catalog
from assist.service import KnowledgeService
from tests.conftest import FIXTURE_KB, ROOT

CHILD = Path(__file__).parent / "crash_builder.py"
Step = tuple[str, Path]


def _assert_loads(index_dir: Path, embedder: Embedder, expected: str) -> KnowledgeService:
    """What a service starting now would do: clean up after dead writers, then load the live version."""
    service = KnowledgeService(index_dir, embedder)
    assert service.start() == expected
    assert not [p for p in index_dir.iterdir() if p.name.startswith(".") and p.name != versions.LOCK]
    return service


def _assert_serves(index_dir: Path, embedder: Embedder, expected: str) -> None:
    suggestion = _assert_loads(index_dir, embedder, expected).suggest(Call(issue="return a stained shirt"), 3)
    assert suggestion.index_version == expected
    assert suggestion.answers[0].article.id == "returns-stain"


def _assert_every_version_complete(index_dir: Path) -> None:
    for name in versions.list_versions(index_dir):
        verify_version(index_dir, name)


def _wait_ready(log: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120  # a hang guard, not a timing assertion
    while "ready" not in log.read_text():
        assert process.poll() is None, f"crash builder exited early:\n{log.read_text()}"
        assert time.monotonic() < deadline, "crash builder never became ready"
        time.sleep(0.02)


def _run_and_kill(tmp_path: Path, index_dir: Path, round_: int, delay: float) -> list[str]:
    """Start the builder, let it publish for `delay` seconds, kill -9 it; return what it reported published."""
    log, errors = tmp_path / f"round-{round_}.out", tmp_path / f"round-{round_}.err"
    with open(log, "wb") as out, open(errors, "wb") as err:
        process = subprocess.Popen([sys.executable, str(CHILD), str(FIXTURE_KB), str(tmp_path / "kb"),
                                    str(index_dir)], stdout=out, stderr=err, cwd=ROOT)
        try:
            _wait_ready(log, process)
            time.sleep(delay)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
    assert process.returncode == -signal.SIGKILL, errors.read_text()
    return [line.split()[1] for line in log.read_text().splitlines() if line.startswith("published ")]


@pytest.mark.parametrize("rounds", [pytest.param(20, id="20"), pytest.param(100, id="100", marks=pytest.mark.slow)])
def test_kill_9_at_random_moments_always_leaves_a_live_version_that_verifies_and_serves(
    tmp_path: Path, embedder: Embedder, rounds: int
) -> None:
    index_dir = tmp_path / "indexes"
    last = build_index(load_catalog(FIXTURE_KB), embedder, index_dir)
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    interrupted = 0
    for round_ in range(rounds):
        published = _run_and_kill(tmp_path, index_dir, round_, rng.uniform(0.0, 0.8))
        last = max([last, *[p for p in published if p != "None"]])
        interrupted += any(p.name.startswith(".staging-") for p in index_dir.iterdir())
        live = versions.current_version(index_dir)
        assert live is not None and live >= last, f"seed {seed}, round {round_}: a finished publish was undone"
        _assert_every_version_complete(index_dir)
        _assert_serves(index_dir, embedder, live)
    print(f"kill -9 rounds: {rounds}, killed mid-build: {interrupted}, seed {seed}")


def _fail_nth(n: int, seen: list[Step]) -> Callable[[str, Path], None]:
    def hook(step: str, path: Path) -> None:
        seen.append((step, path))
        if len(seen) == n:
            raise OSError(f"injected I/O error at step {n}: {step} {path}")

    return hook


def _fail_each_step_until_done(publish: Callable[[], object], index_dir: Path, embedder: Embedder) -> int:
    """Run `publish` failing its 1st, 2nd, ... disk step until it completes; check the old version each time."""
    old = versions.current_version(index_dir) or ""
    for n in range(1, 500):
        seen: list[Step] = []
        try:
            with storage.inject_faults(_fail_nth(n, seen)):
                publish()
        except OSError:
            step, path = seen[-1]
            pointer_moved = step == "fsync-dir" and path == index_dir  # the only step after the atomic swap
            live = versions.current_version(index_dir)
            assert (live != old) == pointer_moved, f"fault at step {n} ({step} {path.name})"
            verify_version(index_dir, old)
            _assert_every_version_complete(index_dir)
            if pointer_moved:
                rollback(index_dir, old)
            _assert_loads(index_dir, embedder, old)
            continue
        new = versions.current_version(index_dir) or ""
        assert new != old
        _assert_serves(index_dir, embedder, new)
        return n - 1
    raise AssertionError("publish never completed")


def test_a_build_failing_at_any_disk_step_leaves_the_old_version_live_and_intact(
    tmp_path: Path, embedder: Embedder
) -> None:
    knowledge, index_dir = tmp_path / "kb", tmp_path / "indexes"
    knowledge.mkdir()
    for name in ("returns-stain.md", "shipping-times.md"):
        shutil.copy(FIXTURE_KB / name, knowledge)
    catalog = load_catalog(knowledge)
    build_index(catalog, embedder, index_dir)
    failures = _fail_each_step_until_done(lambda: build_index(catalog, embedder, index_dir), index_dir, embedder)
    assert failures > 20  # every file's create, write, fsync, rename and directory fsync was failed once


def test_an_update_failing_at_any_disk_step_leaves_the_old_version_live_and_intact(
    tmp_path: Path, embedder: Embedder
) -> None:
    knowledge, index_dir = tmp_path / "kb", tmp_path / "indexes"
    shutil.copytree(FIXTURE_KB, knowledge)
    build_index(load_catalog(knowledge), embedder, index_dir)
    edited = knowledge / "returns-stain.md"
    edited.write_text(edited.read_text() + "\nGold members may also return by post.\n")
    catalog = load_catalog(knowledge)
    failures = _fail_each_step_until_done(lambda: update_index(catalog, embedder, index_dir), index_dir, embedder)
    assert failures > 20
