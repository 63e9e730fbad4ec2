"""HTTP only: the FastAPI app, one router per capability (routes/), the request and response models (schemas/,
responses read from the domain objects), the stream and its conversations, publishing a suggestion, middleware,
API keys and the dependency aliases routes read the app through, metrics, the docs page, the static desks and the
uvicorn wiring of `assist serve`.

The only room that imports FastAPI, Starlette or uvicorn; domain errors become status codes here and nowhere else.
"""
