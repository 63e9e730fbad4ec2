"""Explanation templates filled with the facts of a call, and amounts written the way an agent reads them."""

from __future__ import annotations

import re

from assist.call import Call, FactValue
from assist.policy.conditions import Lookup
from assist.policy.rules import Rule
from assist.policy.vocabulary import Vocabulary

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
CALL_NAMES = ("segment", "role", "action", "limit")  # what an explanation may quote besides facts and attributes
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def render(rule: Rule, call: Call, lookup: Lookup, vocabulary: Vocabulary) -> str:
    """Fill the explanation's {placeholders} with the call's facts; an unknown value reads 'unknown'."""
    values: dict[str, str] = {
        "segment": call.segment or "unknown",
        "role": call.role or "unknown",
        "action": vocabulary.action_label(rule.action),
        "limit": format_amount(rule.limit.amount, rule.limit.currency) if rule.limit else "no limit",
    }

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        value = lookup(name)
        return "unknown" if value is None else _format_value(value)

    text = PLACEHOLDER.sub(fill, rule.explanation)
    return text[:1].upper() + text[1:]  # "{segment} members …" starts a sentence


def _format_value(value: FactValue) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.2f}"
    return str(value)


def format_amount(amount: float, currency: str) -> str:
    """An amount as an agent reads it: $100, $9.99, 40 CHF."""
    number = str(int(amount)) if float(amount).is_integer() else f"{amount:.2f}"
    symbol = _SYMBOLS.get(currency.upper())
    return f"{symbol}{number}" if symbol else f"{number} {currency}"
