"""The policies of a knowledge base as the engine reads them: vocabulary, rules, moments and what they govern.

`policy.files.directory` reads a policy directory into a PolicySet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from assist.knowledge.words import terms
from assist.policy.conditions import all_tests
from assist.policy.moments import MomentBook
from assist.policy.rules import Rule, RuleFile
from assist.policy.vocabulary import Vocabulary


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
