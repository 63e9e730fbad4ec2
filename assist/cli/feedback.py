"""`assist db …` and `assist report …`: the event store's schema and retention, and what editors read."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import asdict
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from assist.cli.common import IndexDirOpt, console, err, settings_from_env
from assist.feedback.store import EventStore
from assist.settings import RETENTION_DAYS, Settings

db_app = typer.Typer(help="The event store (ASSIST_DATABASE_URL, default SQLite in ASSIST_DATA_DIR)",
                     no_args_is_help=True)
report_app = typer.Typer(help="Reports for knowledge editors, from the event store", no_args_is_help=True)


class Format(StrEnum):
    """How a report is printed."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


SinceOpt = Annotated[str, typer.Option("--since", help="period: 7d, 24h, 2w")]
FormatOpt = Annotated[Format, typer.Option("--format", help="table, json or csv")]


def since(period: str) -> dt.datetime:
    """The start of a period such as 7d, 24h or 2w (a bad value is a usage error naming it)."""
    from assist.feedback.reports import period_start

    try:
        return period_start(period)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--since") from exc


def open_store(settings: Settings) -> EventStore:
    """The store at the configured URL, migrated to the current schema; exit 1 with one line if unreachable."""
    store = EventStore(settings.store_url, settings.store_id_key)
    try:
        store.upgrade()
    except SQLAlchemyError as exc:
        err.print(f"[red]event store unreachable:[/red] {type(exc).__name__}: {str(exc).splitlines()[0]}")
        raise typer.Exit(1) from exc
    return store


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the event store or bring its schema up to date (Alembic migrations)."""
    settings = settings_from_env()
    open_store(settings).close()
    console.print(f"event store at {_safe(settings.store_url)} is up to date")


@db_app.command("prune")
def db_prune(days: Annotated[int | None, typer.Option(
        min=RETENTION_DAYS.ge, max=RETENTION_DAYS.le, help="keep this many days [default: ASSIST_RETENTION_DAYS]")]
        = None) -> None:
    """Delete suggestions and their feedback older than the retention period."""
    settings = settings_from_env()
    keep = settings.retention_days if days is None else days
    store = open_store(settings)
    deleted = store.prune(dt.datetime.now(dt.UTC) - dt.timedelta(days=keep))
    store.close()
    console.print(f"deleted {deleted} suggestions older than {keep} days, with their feedback")


@report_app.command("articles")
def report_articles(period: SinceOpt = "7d", output: FormatOpt = Format.TABLE, index_dir: IndexDirOpt = None) -> None:
    """Per article: shown, shown first, opened, used, thumbs, used rate, resolved when used, found by search; and
    never shown."""
    from assist.feedback.reports import article_report
    from assist.index import versions
    from assist.index.manifest import read_manifest

    settings = settings_from_env()
    index_dir = index_dir or settings.index_dir
    live = versions.current_version(index_dir)
    served = list(read_manifest(versions.version_path(index_dir, live)).articles) if live else []
    store = open_store(settings)
    report = article_report(store, since(period), served)
    store.close()
    rows = [asdict(a) for a in report.articles]
    _print(rows, output, "Articles shown since " + period, extra={"never_shown": list(report.never_shown)})
    if output == Format.TABLE and report.never_shown:
        console.print(f"never shown in the period ({len(report.never_shown)}): {', '.join(report.never_shown)}")


@report_app.command("actions")
def report_actions(period: SinceOpt = "7d", output: FormatOpt = Format.TABLE) -> None:
    """Per policy action and segment: allowed / denied / ask; and the rules that fired most."""
    from assist.feedback.reports import action_report

    settings = settings_from_env()
    store = open_store(settings)
    report = action_report(store, since(period))
    store.close()
    rules = [{"rule": rule, "decisions": n} for rule, n in report.rules]
    _print([asdict(a) for a in report.actions], output, "Decisions since " + period, extra={"rules": rules})
    if output == Format.TABLE:
        _table(rules, "Rules that decided most")


@report_app.command("gaps")
def report_gaps(period: SinceOpt = "7d", output: FormatOpt = Format.TABLE, index_dir: IndexDirOpt = None) -> None:
    """The needs nothing answered well, grouped by meaning and labelled by their words, largest group first, with
    why they are listed and the best article."""
    from assist.feedback.gaps import gap_questions
    from assist.feedback.grouping import group_gaps
    from assist.index.embedder import Embedder
    from assist.service import KnowledgeService

    settings = settings_from_env()
    store = open_store(settings)
    questions = gap_questions(store, since(period))
    store.close()
    embedder = Embedder(threads=settings.torch_threads, backend=settings.encoder, cache_dir=settings.model_cache,
                        model_dir=settings.model_dir)
    service = KnowledgeService(index_dir or settings.index_dir, embedder)
    service.start()
    groups = group_gaps(questions, embedder, service.best_article)
    if output == Format.JSON:
        typer.echo(json.dumps([{**_group_summary(g), "members": [asdict(m) for m in g.members]} for g in groups],
                              indent=2, ensure_ascii=False))
        return
    _print([_group_summary(g) for g in groups], output, f"Unmet needs since {period}, by meaning")


def _group_summary(group: Any) -> dict[str, Any]:
    return {"size": group.size, "label": " ".join(group.label), "representative": group.representative,
            "examples": " | ".join(group.examples),
            "reasons": ", ".join(f"{r.reason} {r.count}" for r in group.reasons),
            "best_article": group.best_article, "best_score": group.best_score}


def _print(rows: list[dict[str, Any]], output: Format, title: str, extra: dict[str, Any] | None = None) -> None:
    if output == Format.JSON:
        typer.echo(json.dumps({"rows": rows, **(extra or {})}, indent=2, ensure_ascii=False, default=str))
    elif output == Format.CSV:
        buffer = io.StringIO()
        if rows:
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        typer.echo(buffer.getvalue(), nl=False)
    else:
        _table(rows, title)


def _table(rows: list[dict[str, Any]], title: str) -> None:
    table = Table(title=title)
    for name in rows[0] if rows else ["(nothing in the period)"]:
        table.add_column(name.replace("_", " "))
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row.values()))
    console.print(table)


def _safe(url: str) -> str:
    """A database URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)

