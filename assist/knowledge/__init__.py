"""What editors write: markdown articles with front matter, their passages, and line-aware YAML.

The bottom of the pipeline: imports only `assist.errors` and `assist.call`, never an index, a model or HTTP.
"""
