"""The feedback room: the event store, PII redaction and the reports editors read.

May import service, retrieval, index, policy, knowledge, call, settings, errors; never api or cli.
"""
