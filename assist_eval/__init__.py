"""The evaluations and benchmarks behind `assist eval`, beside the product package rather than in it.

Nothing here runs in production: each module reads a labelled data set or drives a running service and reports
how well or how fast assist did (Doc2Dial retrieval, the retail case book, PII redaction, the load benchmark).
May use everything in `assist` except its CLI, which calls in here; reads case-book requests through the API's
own request model and `to_call`.
"""
