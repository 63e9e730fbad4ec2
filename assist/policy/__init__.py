"""Empowerment and next-best actions: the rule language editors write (vocabulary, conditions, scope, rules),
moments and their cue patterns, consistency checks, explanations, the decision engine and the advice it shapes.

Reads articles from `assist.knowledge`; knows nothing of indexes, retrieval or HTTP. Pydantic appears here
only as the schema of the policy files.
"""
