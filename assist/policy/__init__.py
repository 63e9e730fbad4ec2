"""Empowerment and next-best actions: the rule language editors write (vocabulary, conditions, scope, rules),
moments and their cue patterns, consistency checks, explanations, the decision engine and the advice it shapes.

Policy files are read against their schema (`schema`, errors placed by `validation` as `path:line: field:
message`) and built into the frozen dataclasses the engine runs on. `policyset` reads a policy directory:
for serving, that is all; for a build or `assist check`, `references` and `consistency` check names and
contradictions too.

Reads articles from `assist.knowledge`; knows nothing of indexes, retrieval or HTTP. Pydantic appears here
only as the schema of the policy files.
"""
