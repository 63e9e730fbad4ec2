"""Call → ranked answers: BM25, reading the transcript into a query, ranking features, visibility and the
retriever over one loaded index version.

Reads `assist.index` and `assist.knowledge`; knows nothing of policies or HTTP.
"""
