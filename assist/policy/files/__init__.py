"""The policy files editors write, loaded and checked: their schema (vocabulary.yaml, moments.yaml, the policy
area files), a policy directory read into a PolicySet, the names each file uses resolved, contradicting rules and
articles found, and the whole-tree check `assist check` prints.

Load time only: a build, `assist check` and loading a version read these; nothing per request does. Imports the
rule language (`policy.scope`, `policy.rules`, `policy.conditions`, `policy.vocabulary`) and `assist.knowledge`;
nothing of indexes, retrieval or HTTP.
"""
