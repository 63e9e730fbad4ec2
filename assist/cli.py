"""The `assist` command line (typer): check, index, serve, eval."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from assist.articles import Catalog, load_catalog
from assist.errors import AssistError
from assist.settings import Settings

app = typer.Typer(help="assist: agent-assist knowledge service", no_args_is_help=True)
index_app = typer.Typer(help="Build and manage index versions", no_args_is_help=True)
eval_app = typer.Typer(help="Benchmarks", no_args_is_help=True)
app.add_typer(index_app, name="index")
app.add_typer(eval_app, name="eval")
console = Console()
err = Console(stderr=True)

KnowledgeOpt = Annotated[Path | None, typer.Option("--knowledge", help="knowledge directory [default: knowledge/]")]
IndexDirOpt = Annotated[Path | None, typer.Option("--index-dir", help="index directory [default: indexes/]")]


def _settings() -> Settings:
    try:
        return Settings().check()
    except AssistError as exc:
        err.print(f"[red]configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc


def _catalog(knowledge: Path) -> Catalog:
    """Load the articles, reporting (not failing on) the ones that are bad."""
    try:
        catalog = load_catalog(knowledge)
    except AssistError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    for problem in catalog.problems:
        err.print(f"[yellow]skipped:[/yellow] {problem}")
    return catalog


def build(knowledge: Path, index_dir: Path, settings: Settings) -> str:
    """Embed and publish the knowledge tree with a progress bar; return the new version."""
    from assist.embedder import Embedder
    from assist.index import build_index

    catalog = _catalog(knowledge)
    embedder = Embedder()
    columns = (TextColumn("embedding passages"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("embed", total=None)
        try:
            version = build_index(catalog, embedder, index_dir, settings.passage_target,
                                  on_progress=lambda done, total: progress.update(task, completed=done, total=total))
        except AssistError as exc:
            progress.stop()
            typer.echo(f"index not built:\n{exc}", err=True)
            raise typer.Exit(1) from exc
    console.print(f"published index version [bold]{version}[/bold] ({len(catalog.articles)} articles) in {index_dir}")
    return version


@app.command()
def check(directory: Annotated[Path, typer.Argument(help="knowledge directory")] = Path("knowledge")) -> None:
    """Validate every article (and policy file); print each problem as path:line: message."""
    from assist.policy import check_policies

    catalog = load_catalog(directory)
    problems = [*catalog.problems, *check_policies(catalog.policy_dir, catalog.by_id())]
    for problem in problems:
        typer.echo(str(problem))
    errors = [p for p in problems if p.severity == "error"]
    console.print(f"{len(catalog.articles)} articles ok, {len(errors)} errors, {len(problems) - len(errors)} warnings")
    if errors:
        raise typer.Exit(1)


@index_app.command("build")
def index_build(knowledge: KnowledgeOpt = None, index_dir: IndexDirOpt = None) -> None:
    """Full rebuild: embed every article and publish a new version atomically."""
    settings = _settings()
    build(knowledge or settings.knowledge_dir, index_dir or settings.index_dir, settings)


@app.command()
def serve(
    knowledge: KnowledgeOpt = None,
    index_dir: IndexDirOpt = None,
    host: Annotated[str | None, typer.Option(help="bind address [default: 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="port [default: 8000]")] = None,
) -> None:
    """Build the index when missing or stale, then serve the HTTP API."""
    import uvicorn

    from assist.index import is_stale
    from assist.server import configure_logging, create_server_app

    settings = _settings()
    knowledge, index_dir = knowledge or settings.knowledge_dir, index_dir or settings.index_dir
    configure_logging(settings.log_level)
    if is_stale(_catalog(knowledge), index_dir):
        build(knowledge, index_dir, settings)
    else:
        console.print(f"index in {index_dir} is up to date")
    application = create_server_app(settings, index_dir)
    uvicorn.run(application, host=host or settings.host, port=port or settings.port, log_config=None)


@eval_app.command("doc2dial")
def eval_doc2dial(
    knowledge: Annotated[Path, typer.Option("--knowledge", help="Doc2Dial knowledge directory")],
    queries: Annotated[Path, typer.Option("--queries", help="queries JSONL")],
    index_dir: Annotated[Path, typer.Option("--index-dir")] = Path("indexes/doc2dial"),
    limit: Annotated[int, typer.Option(help="only the first N queries (0 = all)")] = 0,
    domain_filter: Annotated[bool, typer.Option(help="pass each query's domain as a filter")] = False,
) -> None:
    """Build (or reuse) an index of the benchmark documents and print the scorer's metrics."""
    import json

    from assist.embedder import Embedder
    from assist.evaluation import evaluate, read_queries, reliability_rows
    from assist.index import is_stale, load_index
    from assist.retrieval import Retriever

    settings = _settings()
    logging.basicConfig(level=logging.WARNING)
    if is_stale(_catalog(knowledge), index_dir):
        build(knowledge, index_dir, settings)
    embedder = Embedder(threads=settings.torch_threads)
    retriever = Retriever(load_index(index_dir, embedder), embedder)
    bench = read_queries(queries)[: limit or None]
    scores = evaluate(retriever, bench, domain_filter=domain_filter)
    console.print_json(json.dumps(scores.summary()))
    table = Table("confidence", "queries", "answer hit@1", title="reliability of confidence")
    for row in reliability_rows(scores):
        table.add_row(*map(str, row))
    console.print(table)
