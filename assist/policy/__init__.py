"""Empowerment and next-best actions: the rule language editors write (vocabulary, conditions, scope, rules),
moments and their cue patterns, explanations, the decision engine, next-best actions, and the advice
(`advice.advise`, the one entry point) that `course/` (the course of a call) and `hearing/` (facts heard) shape.

`files/` is load time: the policy files' schema, a policy directory read into a PolicySet, and the editor checks
(names, contradictions) a build and `assist check` run. The modules here run per request and import nothing from
`files/`; where a file model is all the engine needs (a scope, a denial, an action, a `when:` mapping) it is
evaluated as read, and a frozen dataclass stands only where loading resolves something (a rule's file defaults,
compiled cues, a condition's normal form).

Reads articles from `assist.knowledge`; knows nothing of indexes, retrieval or HTTP. Pydantic appears here
only as the schema of the policy files.
"""
