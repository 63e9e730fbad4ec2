"""What editors write: markdown articles with front matter, their passages, line-aware YAML and its dates, and
the one routine that reads a YAML file against its schema (`document`), for articles and policy files alike.

The bottom of the pipeline: of assist it imports only `assist.errors`, `assist.call` and `assist.digest`;
pydantic only as the schema of a file; never an index, a model or HTTP.
"""
