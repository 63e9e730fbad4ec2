"""HTTP only: the FastAPI app and its routes, request/response schemas and their mapping to the domain,
middleware, API keys, metrics, the docs page and the uvicorn wiring of `assist serve`.

The only room that imports FastAPI, Starlette or uvicorn; domain errors become status codes here and nowhere else.
"""
