"""The policies of a knowledge base, read from its policy directory: for serving, or checked for a build.

Serving (`load_policies`) reads each file against its schema and builds the engine's objects, nothing more: a
version's policies were checked when it was built. Building (`verify_policies`) and `assist check`
(`check_policies`) also resolve every name and look for contradicting rules and articles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from assist.errors import PolicyError, Problem
from assist.knowledge.articles import Article, outside_tree
from assist.knowledge.words import terms
from assist.policy.conditions import all_tests
from assist.policy.consistency import article_problems, rule_problems
from assist.policy.moments import MomentBook, load_moments
from assist.policy.references import Known, reference_problems
from assist.policy.rules import Rule, RuleFile, rule_file
from assist.policy.schema import PolicyFile
from assist.policy.validation import Document, read_document
from assist.policy.vocabulary import Vocabulary, load_vocabulary

VOCABULARY_FILE = "vocabulary.yaml"
MOMENTS_FILE = "moments.yaml"
_SPECIAL = (VOCABULARY_FILE, MOMENTS_FILE)


@dataclass(frozen=True)
class PolicySet:
    """The vocabulary, rules and moments of a knowledge base, with the article tags rules may select by."""

    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    files: tuple[RuleFile, ...] = ()
    moments: MomentBook = field(default_factory=MomentBook)
    article_tags: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every rule, file by file in file order."""
        return tuple(rule for f in self.files for rule in f.rules)

    @cached_property
    def denial_steps(self) -> tuple[str, ...]:
        """The steps denials add after a stopped procedure (rules' `when_denied.then`)."""
        return tuple(dict.fromkeys(step for rule in self.rules if rule.denial for step in rule.denial.then))

    @cached_property
    def fact_readers(self) -> dict[str, tuple[str, ...]]:
        """For each fact a rule's condition reads, the articles that rule applies to (by id or tag)."""
        readers: dict[str, set[str]] = {}
        for rule in self.rules:
            articles = rule.scope.article_ids(self.article_tags)
            for test in all_tests(rule.when):
                readers.setdefault(test.subject, set()).update(articles)
        return {fact: tuple(sorted(articles)) for fact, articles in readers.items() if articles}

    @cached_property
    def governed(self) -> frozenset[str]:
        """The articles some rule applies to (by id or tag)."""
        return frozenset(a for rule in self.rules for a in rule.scope.article_ids(self.article_tags))

    @cached_property
    def deciding_facts(self) -> dict[str, dict[str, tuple[str, ...]]]:
        """For each article, the steps where its rules are decided (a denial's `after_step`: where the agent
        learns the answer) and the facts those rules read: the customer telling one answers that step."""
        deciding: dict[str, dict[str, set[str]]] = {}
        for rule in self.rules:
            step = rule.denial.after_step
            facts = {test.subject for test in all_tests(rule.when)}
            if step is None or not facts:
                continue
            for article in rule.scope.article_ids(self.article_tags):
                deciding.setdefault(article, {}).setdefault(step, set()).update(facts)
        return {article: {step: tuple(sorted(facts)) for step, facts in steps.items()}
                for article, steps in deciding.items()}

    @cached_property
    def need_phrases(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        """For each issue phrase a rule's scope names (as terms: "send it back" → send, back), the articles
        that rule applies to: a customer who says the phrase has the need those articles serve."""
        readers: dict[tuple[str, ...], set[str]] = {}
        for rule in self.rules:
            articles = rule.scope.article_ids(self.article_tags)
            for phrase in rule.scope.issues:
                key = tuple(terms(phrase))
                if key and articles:
                    readers.setdefault(key, set()).update(articles)
        return {phrase: tuple(sorted(articles)) for phrase, articles in readers.items()}

    def rule(self, rule_id: str) -> Rule | None:
        """The rule with this id, if any."""
        return next((r for r in self.rules if r.id == rule_id), None)


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
