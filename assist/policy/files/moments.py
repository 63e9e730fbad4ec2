"""moments.yaml read: the moments of a knowledge base, their cue patterns compiled once."""

from __future__ import annotations

from pathlib import Path

from assist.errors import Problem
from assist.knowledge.document import read_document
from assist.policy.cues import compile_cue
from assist.policy.files.schema import MomentsFile, MomentSpec
from assist.policy.moments import Moment, MomentBook


def load_moments(path: Path) -> tuple[MomentBook, list[Problem]]:
    """Read moments.yaml; a bad pattern, key or repeated id is a problem on its line, and no moment is kept."""
    document, problems = read_document(path, MomentsFile)
    if document is None:
        return MomentBook(), problems
    spec = document.model
    ids = [moment.id for moment in spec.moments]
    repeated = [
        document.problem(("moments", index), f"duplicate moment id {moment_id!r}")
        for index, moment_id in enumerate(ids) if moment_id in ids[:index]
    ]
    if repeated:
        return MomentBook(), problems + repeated
    moments = tuple(_moment(moment) for moment in spec.moments)
    return MomentBook(moments, tuple(n.lower() for n in spec.negations)), problems


def _moment(spec: MomentSpec) -> Moment:
    return Moment(spec.id, spec.kind, spec.label, tuple(map(compile_cue, spec.cues)),
                  tuple(map(compile_cue, spec.unless)))
