"""A version on disk: the embedder, atomic storage and the CURRENT pointer, the files and manifest of a
version, build / load / verify, and incremental update.

Builds on `assist.knowledge` (articles, passages) and `assist.policy` (policies travel with each version).
"""
