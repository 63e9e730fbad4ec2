"""The `assist` command line (typer): check, index, serve, eval."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from assist.errors import AssistError
from assist.knowledge.articles import Catalog, load_catalog
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


@index_app.callback()
def _index_logging() -> None:
    """The index commands' warnings (such as a writer waiting for the lock) go to stderr."""
    logger = logging.getLogger("assist")
    if not any(isinstance(h, RichHandler) for h in logger.handlers):
        logger.addHandler(RichHandler(level=logging.WARNING, console=err, show_time=False, show_path=False))


def _disk_error(exc: OSError) -> str:
    """An OS error in one line, `path: reason` (a full disk, a permission), instead of a traceback."""
    reason = exc.strerror or str(exc)
    return f"{exc.filename}: {reason}" if exc.filename else reason


def _settings() -> Settings:
    try:
        return Settings().check()
    except AssistError as exc:
        err.print(f"[red]configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc


def _catalog(knowledge: Path, settings: Settings) -> Catalog:
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


def build(knowledge: Path, index_dir: Path, settings: Settings) -> str:
    """Embed and publish the knowledge tree with a progress bar; return the new version."""
    from assist.index.embedder import Embedder
    from assist.index.version import build_index

    catalog = _catalog(knowledge, settings)
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
        except OSError as exc:
            progress.stop()
            typer.echo(f"index not built: {_disk_error(exc)}", err=True)
            raise typer.Exit(1) from exc
    console.print(f"published index version [bold]{version}[/bold] ({len(catalog.articles)} articles) in {index_dir}")
    return version


@app.command()
def check(directory: Annotated[Path, typer.Argument(help="knowledge directory")] = Path("knowledge")) -> None:
    """Validate every article (and policy file); print each problem as path:line: message."""
    from assist.policy.engine import check_policies

    catalog = load_catalog(directory, max_article_bytes=_settings().max_article_bytes)
    problems = [*catalog.problems, *catalog.conflicts, *check_policies(catalog.policy_dir, catalog.by_id())]
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


def update(knowledge: Path, index_dir: Path, settings: Settings) -> str | None:
    """Re-embed only changed articles and publish; return the new version, or None when nothing changed."""
    from assist.index.embedder import Embedder
    from assist.index.update import update_index

    catalog = _catalog(knowledge, settings)
    columns = (TextColumn("embedding changed passages"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("embed", total=None)
        try:
            result = update_index(catalog, Embedder(), index_dir, settings.passage_target,
                                  on_progress=lambda done, total: progress.update(task, completed=done, total=total))
        except AssistError as exc:
            progress.stop()
            typer.echo(f"index not updated:\n{exc}", err=True)
            raise typer.Exit(1) from exc
        except OSError as exc:
            progress.stop()
            typer.echo(f"index not updated: {_disk_error(exc)}", err=True)
            raise typer.Exit(1) from exc
    if result.full_reason:
        err.print(f"[yellow]embedded everything:[/yellow] {result.full_reason}")
    if result.version is None:
        console.print(f"index version {result.base} already matches {knowledge}; nothing published", soft_wrap=True)
        return None
    console.print(f"published index version [bold]{result.version}[/bold]: {len(result.added)} added, "
                  f"{len(result.changed)} changed, {len(result.removed)} removed; {result.embedded} passages "
                  f"embedded, {result.reused} reused", soft_wrap=True)
    return result.version


@index_app.command("update")
def index_update(knowledge: KnowledgeOpt = None, index_dir: IndexDirOpt = None) -> None:
    """Incremental: re-embed only articles whose content changed, drop deleted ones, publish a new version."""
    settings = _settings()
    update(knowledge or settings.knowledge_dir, index_dir or settings.index_dir, settings)


@index_app.command("list")
def index_list(index_dir: IndexDirOpt = None) -> None:
    """Published versions, oldest first, one per line; the live one is marked with `*`."""
    from assist.index import storage
    from assist.index.manifest import read_manifest

    directory = index_dir or _settings().index_dir
    live = storage.current_version(directory)
    for name in storage.list_versions(directory):
        try:
            manifest = read_manifest(storage.version_path(directory, name))
            about = f"built {manifest.built_at}  {len(manifest.articles)} articles  {manifest.count} passages"
        except AssistError as exc:
            about = f"unreadable: {exc}"
        typer.echo(f"{'*' if name == live else ' '} {name}  {about}")


@index_app.command("rollback")
def index_rollback(
    version: Annotated[str, typer.Argument(help="a version from `assist index list`")], index_dir: IndexDirOpt = None
) -> None:
    """Verify VERSION and make it live again (a running service picks it up like any publish)."""
    from assist.index.version import rollback

    directory = index_dir or _settings().index_dir
    try:
        rollback(directory, version)
    except AssistError as exc:
        err.print(f"[red]not rolled back:[/red] {exc}")
        raise typer.Exit(1) from exc
    except OSError as exc:
        typer.echo(f"not rolled back: {_disk_error(exc)}", err=True)
        raise typer.Exit(1) from exc
    console.print(f"live index version is now [bold]{version}[/bold]")


@index_app.command("prune")
def index_prune(
    keep: Annotated[int, typer.Option("--keep", min=1, help="how many of the newest versions to keep")],
    index_dir: IndexDirOpt = None,
) -> None:
    """Delete all but the KEEP newest versions; the live version is always kept."""
    from assist.index import storage

    try:
        removed = storage.prune(index_dir or _settings().index_dir, keep)
    except OSError as exc:
        typer.echo(f"not pruned: {_disk_error(exc)}", err=True)
        raise typer.Exit(1) from exc
    console.print(f"removed {len(removed)} versions" + "".join(f"\n  {name}" for name in removed))


@app.command()
def serve(
    knowledge: KnowledgeOpt = None,
    index_dir: IndexDirOpt = None,
    host: Annotated[str | None, typer.Option(help="bind address [default: 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="port [default: 8000]")] = None,
) -> None:
    """Update the index when missing or stale (re-embedding only changed articles), then serve the HTTP API."""
    from assist.api.server import configure_logging, create_server_app, run
    from assist.index.version import is_stale

    settings = _settings()
    knowledge, index_dir = knowledge or settings.knowledge_dir, index_dir or settings.index_dir
    configure_logging(settings.log_level)
    if is_stale(_catalog(knowledge, settings), index_dir, settings.passage_target):
        update(knowledge, index_dir, settings)
    else:
        console.print(f"index in {index_dir} is up to date")
    application = create_server_app(settings, index_dir)
    run(application, settings, host or settings.host, port or settings.port)


@eval_app.command("doc2dial")
def eval_doc2dial(
    knowledge: Annotated[Path, typer.Option("--knowledge", help="Doc2Dial knowledge directory")],
    queries: Annotated[Path, typer.Option("--queries", help="queries JSONL")],
    index_dir: Annotated[Path, typer.Option("--index-dir")] = Path("indexes/doc2dial"),
    limit: Annotated[int, typer.Option(help="only the first N queries (0 = all)")] = 0,
    domain_filter: Annotated[bool, typer.Option(help="pass each query's domain as a filter")] = False,
    chosen_only: Annotated[bool, typer.Option(help="run only the chosen configuration")] = False,
) -> None:
    """Build (or reuse) an index of the benchmark documents; print the scorer's metrics per configuration."""
    import json

    from assist.eval.doc2dial import CHOSEN, CONFIGURATIONS, evaluate, read_queries, reliability_rows
    from assist.index.embedder import Embedder
    from assist.index.version import is_stale, load_index
    from assist.retrieval.retriever import Retriever, Tuning

    settings = _settings()
    logging.basicConfig(level=logging.WARNING)
    if is_stale(_catalog(knowledge, settings), index_dir, settings.passage_target):
        build(knowledge, index_dir, settings)
    embedder = Embedder(threads=settings.torch_threads)
    index = load_index(index_dir, embedder)
    bench = read_queries(queries)[: limit or None]
    names = [CHOSEN] if chosen_only else list(CONFIGURATIONS)
    metrics = ("article_hit@1", "article_hit@5", "article_mrr@10", "answer_hit@1", "answer_hit@5", "p50_ms", "p95_ms")
    table = Table("configuration", *metrics, title=f"Doc2Dial, {len(bench)} queries")
    for name in names:
        scores = evaluate(Retriever(index, embedder, Tuning(weights=CONFIGURATIONS[name])), bench,
                          domain_filter=domain_filter)
        summary = scores.summary()
        table.add_row(name, *(str(summary[m]) for m in metrics))
        if name == CHOSEN:
            chosen, chosen_scores = summary, scores
    Console(width=max(console.width, 160)).print(table)
    console.print_json(json.dumps(chosen))
    reliability = Table("confidence", "queries", "answer hit@1", title="reliability of confidence (chosen)")
    for row in reliability_rows(chosen_scores):
        reliability.add_row(*map(str, row))
    console.print(reliability)


@eval_app.command("retail")
def eval_retail(
    cases: Annotated[Path, typer.Option("--cases", help="case JSONL")] = Path("tests/data/retail_cases.jsonl"),
    knowledge: KnowledgeOpt = None,
    index_dir: IndexDirOpt = None,
    show_misses: Annotated[bool, typer.Option(help="print every miss")] = True,
) -> None:
    """Score empowerment decisions and next-best actions on a retail case book."""
    import json

    from assist.eval.retail import read_cases, score_cases
    from assist.index.embedder import Embedder
    from assist.index.version import is_stale
    from assist.service import KnowledgeService

    settings = _settings()
    knowledge, index_dir = knowledge or settings.knowledge_dir, index_dir or settings.index_dir
    if is_stale(_catalog(knowledge, settings), index_dir, settings.passage_target):
        build(knowledge, index_dir, settings)
    service = KnowledgeService(index_dir, Embedder(threads=settings.torch_threads))
    service.load()
    scores = score_cases(service, read_cases(cases))
    if show_misses:
        for miss in scores.misses:
            typer.echo(miss)
    console.print_json(json.dumps(scores.summary()))
