"""What editors write: markdown articles with front matter, their passages, line-aware YAML and its dates.

The bottom of the pipeline: imports only `assist.errors` and `assist.call`, never an index, a model or HTTP.
"""
