"""Benchmark runners behind `assist eval`: Doc2Dial retrieval and the retail case book.

May use everything below it; reads case-book requests through the API's own schema and mapping.
"""
