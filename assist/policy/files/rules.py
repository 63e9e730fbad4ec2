"""A policy file's rules, resolved for the engine: the file's defaults applied, the vocabulary's currency, the
place of each rule in the file, and each `when:` mapping in its normal form (a condition)."""

from __future__ import annotations

from pathlib import Path

from assist.knowledge.document import Document
from assist.policy.conditions import condition
from assist.policy.files.schema import LimitSpec, PolicyFile, RuleSpec
from assist.policy.rules import Denial, Limit, Outcome, Rule, RuleFile
from assist.policy.scope import Scope
from assist.policy.vocabulary import Vocabulary


def rule_file(document: Document[PolicyFile], vocabulary: Vocabulary) -> RuleFile:
    """The rules of a policy file that matched its schema; a rule without its own scope or denial takes the file's."""
    spec, path = document.model, document.path
    rules = tuple(
        _rule(rule, spec, path, document.line(("rules", index)), vocabulary) for index, rule in enumerate(spec.rules)
    )
    return RuleFile(path, spec.area or path.stem, rules, tuple(spec.mentioned_in))


def _rule(spec: RuleSpec, file: PolicyFile, path: Path, line: int, vocabulary: Vocabulary) -> Rule:
    return Rule(
        id=spec.id,
        action=spec.action,
        decision=Outcome(spec.decision),
        explanation=" ".join(spec.explanation.split()),
        scope=spec.applies_to or file.applies_to or Scope(),
        path=path,
        line=line,
        segments=tuple(s.lower() for s in spec.segment),
        roles=tuple(r.lower() for r in spec.role),
        when=condition(spec.when) if spec.when is not None else None,
        if_missing=spec.if_missing,
        limit=_limit(spec.limit, vocabulary.currency),
        priority=spec.priority,
        effective_from=spec.effective_from,
        effective_until=spec.effective_until,
        denial=spec.when_denied or file.when_denied or Denial(),
        waits_for=tuple(file.decide_after),
    )


def _limit(spec: LimitSpec | None, currency: str) -> Limit | None:
    return None if spec is None else Limit(spec.amount, spec.currency or currency)
