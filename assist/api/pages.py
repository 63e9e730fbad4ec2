"""The agent desktop at `/` and the editor's desk at `/desk/editor`: static files, no build step."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).with_name("static")


def add_pages(app: FastAPI) -> None:
    """Serve the pages and their files (/static/…)."""
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")

    @app.get("/", include_in_schema=False)
    def desk() -> FileResponse:
        """The agent desktop."""
        return FileResponse(STATIC / "desk.html")

    @app.get("/desk/editor", include_in_schema=False)
    def editor() -> FileResponse:
        """The editor's desk (the page asks for an admin key; the reports it reads need one)."""
        return FileResponse(STATIC / "editor.html")
