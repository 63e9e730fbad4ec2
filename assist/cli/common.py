"""What every command shares: the consoles, the common options, settings and the knowledge tree, errors in
one line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from assist.errors import AssistError
from assist.knowledge.articles import Catalog, load_catalog
from assist.settings import Settings

console = Console()
err = Console(stderr=True)

KnowledgeOpt = Annotated[Path | None, typer.Option("--knowledge", help="knowledge directory [default: knowledge/]")]
IndexDirOpt = Annotated[Path | None, typer.Option("--index-dir", help="index directory [default: indexes/]")]


def disk_error(exc: OSError) -> str:
    """An OS error in one line, `path: reason` (a full disk, a permission), instead of a traceback."""
    reason = exc.strerror or str(exc)
    return f"{exc.filename}: {reason}" if exc.filename else reason


def settings_from_env() -> Settings:
    """The settings, or exit 2 naming what is wrong with them."""
    try:
        return Settings.load()
    except AssistError as exc:
        err.print(f"[red]configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc


def read_catalog(knowledge: Path, settings: Settings) -> Catalog:
    """Load the articles, reporting (not failing on) the ones that are bad; an id used twice stops a build later."""
    try:
        catalog = load_catalog(knowledge, max_article_bytes=settings.max_article_bytes)
    except AssistError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    for problem in catalog.problems:  # a warning names itself ("path:1: warning: ..."); an error means skipped
        label = "[yellow]skipped:[/yellow] " if problem.severity == "error" else ""
        err.print(f"{label}{escape(str(problem))}", soft_wrap=True)
    for conflict in catalog.conflicts:
        err.print(f"[red]conflict:[/red] {escape(str(conflict))}", soft_wrap=True)
    return catalog
