"""The course of a call: reading its turns, what the customer needs, whether the matter is ours, the procedure it
follows and where that stands, and the guidance for one moment (`guidance.guide`), answers' order included.

Per request, like the rest of `policy/` outside `files/`; `policy.advice` is the one entry point the service calls.
"""
