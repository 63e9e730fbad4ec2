"""PII redaction: every kind of personal data in a text replaced by its kind (`[EMAIL]`, `[PERSON]` …) before
anything is stored.

The text is first folded (assist.feedback.pii.text: full-width, other scripts' digits, look-alike letters,
spoken digits and e-mails); shaped data is found by patterns confirmed by checksums and cues
(assist.feedback.pii.patterns), names by Presidio over spaCy (assist.feedback.pii.names). Where findings
overlap, shaped data wins.
"""

from __future__ import annotations

from assist.feedback.pii.kinds import Finding, Kind
from assist.feedback.pii.names import find_names, load
from assist.feedback.pii.patterns import find_shaped
from assist.feedback.pii.text import fold

__all__ = ["Finding", "Kind", "find_pii", "find_pii_all", "prepare", "redact", "redact_all"]


def prepare() -> None:
    """Load the name model now, so the first record does not wait for it (about a second)."""
    load()


def _shaped(text: str) -> list[Finding]:
    folded = fold(text)
    return [Finding(f.kind, *folded.span(f.start, f.end)) for f in find_shaped(folded.text)]


def _merge(first: list[Finding], second: list[Finding]) -> list[Finding]:
    found = list(first)
    for finding in second:
        if not any(f.overlaps(finding.start, finding.end) for f in found):
            found.append(finding)
    return sorted(found, key=lambda f: f.start)


def find_pii(text: str, names: bool = True, asked: str | None = None) -> list[Finding]:
    """Every PII span in `text`, in order, none overlapping; `names=False` looks for shaped data only; `asked` is
    the agent's turn just before, when `text` is a customer's reply."""
    return find_pii_all([text], [asked])[0] if names else _merge(_shaped(text), [])


def find_pii_all(texts: list[str], asked: list[str | None]) -> list[list[Finding]]:
    """find_pii for many texts at once (the name model reads them in batches)."""
    named = find_names(texts, asked) if texts else []
    return [_merge(_shaped(text), found) for text, found in zip(texts, named, strict=True)]


def _replace(text: str, findings: list[Finding]) -> str:
    parts, last = [], 0
    for finding in findings:
        parts += [text[last : finding.start], f"[{finding.kind}]"]
        last = finding.end
    return "".join([*parts, text[last:]])


def redact(text: str, asked: str | None = None) -> str:
    """`text` with each PII span replaced by its kind, as `[EMAIL]`; `asked`: see find_pii."""
    return redact_all([text], [asked])[0]


def redact_all(texts: list[str], asked: list[str | None]) -> list[str]:
    """Each text redacted, `asked[i]` the agent's turn before `texts[i]` (or None)."""
    redacted = []
    for text, findings in zip(texts, find_pii_all(texts, asked), strict=True):
        text = _replace(text, findings)
        # A redaction can free a neighbour that a digit next to it had hidden, so the patterns run again until
        # nothing is found; each round removes digits or an '@', so it ends.
        while again := find_pii(text, names=False):
            text = _replace(text, again)
        redacted.append(text)
    return redacted
