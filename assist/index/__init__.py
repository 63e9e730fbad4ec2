"""A version on disk: the embedder, atomic storage and the `versions/` directory with its CURRENT pointer, the
files and manifest of a version, the registry of build-time data (derived.py), building, publishing and loading
a version, and incremental update.

Builds on `assist.knowledge` (articles, passages) and `assist.policy` (policies travel with each version).
"""
