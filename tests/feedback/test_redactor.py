"""Redaction in a process of its own: the same text as in-process, and a dead process is replaced."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assist.feedback.redactor import Redactor


@pytest.fixture(scope="module")
def separate() -> Iterator[Redactor]:
    redactor = Redactor(separate=True)
    yield redactor
    redactor.close()


def test_a_separate_redactor_redacts_as_this_process_does(separate: Redactor) -> None:
    texts = ["this is dana whitfield, card 4111 1111 1111 1111", "order 4471203 is late"]
    assert separate.redact_all(texts) == Redactor().redact_all(texts) == [
        "this is [PERSON], card [CARD]", "order 4471203 is late"]


def test_a_redaction_process_that_died_is_started_again(separate: Redactor) -> None:
    assert separate._pool is not None
    pid = next(iter(separate._pool._processes))
    os.kill(pid, signal.SIGKILL)
    assert separate.redact_all(["mail jo@example.com"]) == ["mail [EMAIL]"]


def test_the_redaction_process_ends_when_its_parent_is_killed(tmp_path: Path) -> None:
    script = ("import os, sys; from assist.feedback.redactor import Redactor; r = Redactor(separate=True); "
              "print(next(iter(r._pool._processes)), flush=True); sys.stdin.read()")
    parent = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    parent.kill()  # SIGKILL: no shutdown runs in the parent
    parent.wait(30)
    guard = time.monotonic() + 60
    while _alive(child):
        assert time.monotonic() < guard, "the redaction process outlived its parent"
        time.sleep(0.2)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())
