"""The routes, one router per capability, gathered here in the order the OpenAPI document lists them; each
reads the app's parts through the dependency aliases of assist.api.access."""

from __future__ import annotations

from fastapi import APIRouter

from assist.api import stream
from assist.api.routes import admin, feedback, knowledge, probes, reports, search, suggest

router = APIRouter()
router.include_router(suggest.router)
router.include_router(search.router)
router.include_router(knowledge.router)
router.include_router(feedback.router)
router.include_router(admin.router)
router.include_router(reports.router)
router.include_router(probes.router)
router.include_router(stream.router)
