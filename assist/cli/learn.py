"""`assist learn …`: fit a ranker on what agents used, publish it only when it beats the live one, roll it back."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assist.cli.common import IndexDirOpt, console, err, settings_from_env
from assist.cli.feedback import SinceOpt, open_store, since
from assist.errors import AssistError

learn_app = typer.Typer(help="A ranker learned from what agents used (the event store), versioned beside the index",
                        invoke_without_command=True)
DEFAULT_PERIOD = "90d"


@learn_app.callback()
def learn(
    ctx: typer.Context,
    period: SinceOpt = DEFAULT_PERIOD,
    force: Annotated[bool, typer.Option("--force", help="publish even if it does not beat the live ranker")] = False,
    index_dir: IndexDirOpt = None,
) -> None:
    """Fit a ranker on the period's suggestions the agent used a passage of, judge it on the newest fifth beside
    the live ranker, write it as a ranker version, and serve it only if it wins (or with --force)."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = index_dir  # `assist learn --index-dir D list` means the list of D
        return
    from assist.learning.fitting import domains, fit
    from assist.learning.history import read_history
    from assist.retrieval import rankers
    from assist.retrieval.tuning import Tuning

    settings = settings_from_env()
    index_dir = index_dir or settings.index_dir
    now = dt.datetime.now(dt.UTC)
    store = open_store(settings)
    try:
        history = read_history(store, since(period), now)
    finally:
        store.close()
    console.print(f"{len(history.examples)} examples from {history.used} suggestions with a used passage since "
                  f"{history.since:%Y-%m-%d %H:%M} ({history.unlogged} without logged candidates, "
                  f"{history.stale} logged with other features, {history.not_among} whose used passage was not among "
                  "them)")
    try:
        live_name = rankers.current(index_dir)
        live = rankers.load(index_dir, live_name) if live_name else None
        columns = (TextColumn("fitting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("fit", total=None)
            fitted = fit(history.examples, Tuning().weights,
                         (lambda ex: live.scores(ex.candidates)) if live else None,
                         lambda done, total: progress.update(task, completed=done, total=total))
        publish = fitted.better or force
        meta = {"created": now.isoformat(), "since": history.since.isoformat(), "until": now.isoformat(),
                "examples": len(history.examples), "found_by_search": sum(e.found for e in history.examples),
                "live_version": live_name, "published": publish, "forced": force and not fitted.better,
                **fitted.report(), "weights": dict(Tuning().weights), "domains": domains(history.examples)}
        written = rankers.write(index_dir, fitted.model, meta, live=publish, now=now)
    except AssistError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    table = Table("held back (newest)", "examples", "hit@1", "hit@5", "MRR")
    for label, figures in ((f"new {written.name}", fitted.figures), (f"live {live_name or 'hand weights'}",
                                                                    fitted.live)):
        table.add_row(label, str(figures.examples), f"{figures.hit_at_1:.4f}", f"{figures.hit_at_5:.4f}",
                      f"{figures.mrr:.4f}")
    console.print(table)
    if written.live:
        how = "forced, though it does not beat the live ranker" if meta["forced"] else "it beats the live ranker"
        console.print(f"published {written.name} ({how}); replicas load it at their next check. "
                      "Undo: assist learn rollback")
    else:
        console.print(f"not published: {written.name} does not beat the live ranker on the held-back events "
                      "(kept for reading; --force publishes anyway)")


@learn_app.command("rollback")
def rollback(
    ctx: typer.Context,
    to: Annotated[str | None, typer.Option("--to", help="the ranker version to serve [default: the one the live "
                                                        "version replaced]")] = None,
    index_dir: IndexDirOpt = None,
) -> None:
    """Serve the ranker the live one replaced (or --to a version); past the first, the hand weights."""
    from assist.retrieval import rankers

    index_dir = index_dir or ctx.obj or settings_from_env().index_dir
    try:
        served, now = rankers.rollback(index_dir, to)
    except (AssistError, ValueError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"rolled back from {served} to {now or 'the hand weights'}")


@learn_app.command("list")
def listing(ctx: typer.Context, index_dir: IndexDirOpt = None) -> None:
    """Every ranker version written, oldest first, with its figures on the events it was judged on."""
    from assist.retrieval import rankers

    index_dir = index_dir or ctx.obj or settings_from_env().index_dir
    live = rankers.current(index_dir)
    table = Table("version", "served", "examples", "MRR new", "MRR it faced", "published")
    for name in rankers.names(index_dir):
        try:
            meta = rankers.manifest(index_dir, name)
        except AssistError as exc:
            table.add_row(name, "", "", "", "", f"unreadable: {exc}")
            continue
        table.add_row(name, "live" if name == live else "", str(meta.get("examples", "")),
                      str(meta.get("figures", {}).get("mrr", "")), str(meta.get("live", {}).get("mrr", "")),
                      "forced" if meta.get("forced") else "yes" if meta.get("published") else "no")
    console.print(table)
    console.print(f"served: {live or 'the hand weights'}")
