"""The `assist` command line (typer): check, serve, and the index and eval command groups."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assist.cli.common import IndexDirOpt, KnowledgeOpt, console, read_catalog, settings_from_env
from assist.cli.eval import eval_app
from assist.cli.eval_learning import eval_app as _with_learning  # noqa: F401  (registers replay, finetune, gaps)
from assist.cli.feedback import db_app, report_app
from assist.cli.index import index_app, update
from assist.cli.learn import learn_app
from assist.cli.welcome import welcome

app = typer.Typer(help="assist: agent-assist knowledge service", no_args_is_help=True)
app.add_typer(index_app, name="index")
app.add_typer(eval_app, name="eval")
app.add_typer(db_app, name="db")
app.add_typer(report_app, name="report")
app.add_typer(learn_app, name="learn")


@app.command()
def check(directory: Annotated[Path, typer.Argument(help="knowledge directory")] = Path("knowledge")) -> None:
    """Validate every article (and policy file), and warn of near-duplicate articles, articles with no
    readable text and colliding titles; print each problem as path:line: message."""
    from assist.policy.files.check import check_tree

    catalog, problems = check_tree(directory, settings_from_env().max_article_bytes)
    for problem in problems:
        typer.echo(str(problem))
    errors = [p for p in problems if p.severity == "error"]
    console.print(f"{len(catalog.articles)} articles ok, {len(errors)} errors, {len(problems) - len(errors)} warnings")
    if errors:
        raise typer.Exit(1)


@app.command()
def serve(
    knowledge: KnowledgeOpt = None,
    index_dir: IndexDirOpt = None,
    host: Annotated[str | None, typer.Option(help="bind address [default: 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="port [default: 8000]")] = None,
) -> None:
    """Update the index when missing or stale (re-embedding only changed articles), then serve the HTTP API."""
    from assist.api.server import configure_logging, serve_forever
    from assist.index.embedder import encoder_name
    from assist.index.update import is_stale, unchanged

    settings = settings_from_env()
    knowledge, index_dir = knowledge or settings.knowledge_dir, index_dir or settings.index_dir
    configure_logging(settings.log_level)
    # an index built by another encoder or model directory is stale: its vectors differ
    model = encoder_name(settings.encoder, model_dir=settings.model_dir)
    if unchanged(knowledge, index_dir, settings.passage_target, model):  # no file touched: nothing to read or hash
        console.print(f"index in {index_dir} is up to date (no file under {knowledge} changed)")
    elif is_stale(read_catalog(knowledge, settings), index_dir, settings.passage_target, model):
        update(knowledge, index_dir, settings)
    else:
        console.print(f"index in {index_dir} is up to date")
    served = settings.model_copy(update={"knowledge_dir": knowledge})  # the tree /v1/reports/check reads
    host, port = host or settings.host, port or settings.port
    console.print(welcome(settings, host, port), markup=False, highlight=False, soft_wrap=True)
    serve_forever(served, index_dir, host, port)
