"""Limits and rules of thumb that more than one layer reads: each declared here once, imported where used.

A leaf module: it imports nothing of assist, so settings, policy, retrieval and the API edge may all read it.
"""

from __future__ import annotations

# All cue matching of one request in 0.1 s (a normal call needs about a millisecond), over at most the first 2,000
# characters of each turn.
CUE_SECONDS = 0.1
CUE_CHARS = 2000
# What one call may hold: turns, and characters a turn (the HTTP edge refuses more; reading and cue settings
# may not ask for more than there can be).
MAX_TURNS = 200
MAX_TURN_CHARS = 5000
# How much of a transcript ranking reads: the opening customer turn plus the latest turns, bounded. Turns further
# back than a couple of dozen weigh almost nothing (recency 0.7 per turn), and the model reads at most 256 word
# pieces (about 1,000-1,500 characters) of a text, so the bounds cost no answer quality.
READ_TURNS = 24
READ_TURN_CHARS = 2000
READ_CHARS = 12000
# Facts are counts, days and amounts: a magnitude beyond this is a mistake, not a value a rule can compare (the
# policy vocabulary reads no such number; the HTTP edge refuses it).
MAX_FACT_MAGNITUDE = 10**15
# A customer turn of at most this many content terms ("yes", "9.99", "about a week") only answers the agent: it
# raises no new need, and ranking reads it together with the turns before it.
ANSWER_TERMS = 3
