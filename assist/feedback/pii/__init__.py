"""Finding personal data in what is said: the kinds (kinds.py), text folded to plain ASCII with every
character's place in the original (text.py), patterns confirmed by checksums and cues (patterns.py), and
names from a named-entity model (names.py). `assist.feedback.redaction` puts them together."""
