"""Redaction in a process of its own: the same text as in-process, and a dead process is replaced."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

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
