"""The HTTP API's request and response models (../shared/API.md), one module per capability; every field bounded.

Response models are read from the domain objects themselves (`from_attributes`): a field the domain adds is
declared once there and once here, with no mapper between.
"""
