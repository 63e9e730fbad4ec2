"""The feedback room: the event store, PII redaction and the reports editors read.

May import knowledge, index, retrieval, policy, call, settings, errors; never api or cli.
"""
