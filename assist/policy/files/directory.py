"""A policy directory read: for serving, or checked for a build or `assist check`.

Serving (`load_policies`) reads each file against its schema and builds the engine's objects, nothing more: a
version's policies were checked when it was built. Building (`verify_policies`) and `assist check`
(`check_policies`) also resolve every name and look for contradicting rules and articles.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from assist.errors import PolicyError, Problem
from assist.knowledge.articles import Article, outside_tree
from assist.knowledge.document import Document, read_document
from assist.policy.files.consistency import article_problems, rule_problems
from assist.policy.files.moments import load_moments
from assist.policy.files.references import Known, reference_problems
from assist.policy.files.rules import rule_file
from assist.policy.files.schema import PolicyFile
from assist.policy.files.vocabulary import load_vocabulary
from assist.policy.moments import MomentBook
from assist.policy.policyset import PolicySet
from assist.policy.vocabulary import Vocabulary

VOCABULARY_FILE = "vocabulary.yaml"
MOMENTS_FILE = "moments.yaml"
_SPECIAL = (VOCABULARY_FILE, MOMENTS_FILE)


def load_policies(directory: Path, articles: Mapping[str, Article]) -> PolicySet:
    """The policies of a built version, for serving; raise PolicyError when a file does not match its schema."""
    return _errors_raised(*_read(directory, articles, check=False))


def verify_policies(directory: Path, articles: Mapping[str, Article]) -> PolicySet:
    """The policies as a build reads them: raise PolicyError listing every error (warnings do not stop it)."""
    return _errors_raised(*_read(directory, articles, check=True))


def check_policies(directory: Path, articles: Mapping[str, Article]) -> list[Problem]:
    """Every problem of a policy directory, including warnings where an article contradicts its policy."""
    policies, problems = _read(directory, articles, check=True)
    if not policies.files and not problems:
        return []
    return problems + article_problems(policies.files, articles, policies.vocabulary)


def policy_paths(directory: Path) -> tuple[list[Path], list[Problem]]:
    """The policy files in `directory` by name, and a warning for each link out of the knowledge tree (skipped)."""
    if not directory.is_dir():
        return [], []
    paths: list[Path] = []
    warnings: list[Problem] = []
    for path in sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()):
        warning = outside_tree(path, directory.parent)
        if warning is None:
            paths.append(path)
        else:
            warnings.append(warning)
    return paths, warnings


def _errors_raised(policies: PolicySet, problems: list[Problem]) -> PolicySet:
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise PolicyError(errors)
    return policies


def _read(directory: Path, articles: Mapping[str, Article], check: bool) -> tuple[PolicySet, list[Problem]]:
    """The policy set and the problems found; `check` adds the editor checks (names, contradictions)."""
    if not directory.is_dir():
        return PolicySet(), []
    listed, problems = policy_paths(directory)
    names = {p.name for p in listed}
    paths = [p for p in listed if p.name not in _SPECIAL]
    vocabulary = Vocabulary()
    if VOCABULARY_FILE in names:
        read, found = load_vocabulary(directory / VOCABULARY_FILE)
        if read is None:
            return PolicySet(), problems + found  # every rule would fail against an unreadable vocabulary
        vocabulary, problems = read, problems + found
    elif paths:
        problems.append(Problem(directory / VOCABULARY_FILE, 0, "missing: policy files need a vocabulary"))
    moments, found = load_moments(directory / MOMENTS_FILE) if MOMENTS_FILE in names else (MomentBook(), [])
    moment_names = None if found else moments.names()
    problems += found
    documents: list[Document[PolicyFile]] = []
    for path in paths:
        document, found = read_document(path, PolicyFile)
        problems += found
        if document is not None:
            documents.append(document)
    tags = {a.id: a.tags for a in articles.values()}
    policies = PolicySet(vocabulary, tuple(rule_file(d, vocabulary) for d in documents), moments, tags)
    if check:
        known = Known(frozenset(articles), frozenset(t for ts in tags.values() for t in ts), moment_names)
        problems += [p for d in documents for p in reference_problems(d, vocabulary, known)]
        problems += rule_problems(list(policies.files), tags)
    return policies, problems
