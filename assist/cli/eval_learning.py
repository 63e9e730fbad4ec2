"""`assist eval replay`, `finetune` and `gaps`: the evaluations of learning from use (the history a labelled set
makes, what fine-tuning the encoder adds, how the gap report holds), registered on `assist eval`."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from assist.cli.common import IndexDirOpt, KnowledgeOpt, console, err, read_catalog, settings_from_env
from assist.cli.eval import eval_app
from assist.cli.index import build
from assist.errors import AssistError

__all__ = ["eval_app"]
OFF_TOPIC = [Path("tests/data/offtopic_questions.jsonl"), Path("tests/data/gaps_themes.jsonl")]


@eval_app.command("replay")
def eval_replay(
    url: Annotated[str, typer.Argument(help="the running service, e.g. http://127.0.0.1:8000")],
    queries: Annotated[Path | None, typer.Option("--queries", help="Doc2Dial queries JSONL")] = None,
    calls: Annotated[Path | None, typer.Option("--calls", help="whole calls JSONL (bench/README.md)")] = None,
    knowledge: Annotated[Path, typer.Option("--knowledge", help="with --calls: the tree naming each article's "
                                                                "subflow")] = Path("knowledge"),
    key: Annotated[str | None, typer.Option("--key", help="API key [default: none]")] = None,
    limit: Annotated[int, typer.Option(help="only the first N moments (0 = all)")] = 0,
    segment: Annotated[str, typer.Option(help="with --queries: the customers' segment")] = "standard",
) -> None:
    """Play a labelled set through a running service as agent desktops would (suggest, then `used` on the right
    shown answer, or else a search and `used` of the right passage found): history `assist learn` fits on."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from assist_eval.doc2dial import read_queries
    from assist_eval.replay import Desktop, ReplayError, call_moments, doc2dial_moments, replay

    try:
        if queries is not None and calls is None:
            moments = doc2dial_moments(read_queries(queries), segment)
        elif calls is not None and queries is None:
            moments = call_moments(calls, knowledge)
        else:
            raise typer.BadParameter("give either --queries or --calls", param_hint="--queries / --calls")
    except (OSError, ValueError, AssistError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    moments = moments[: limit or None]
    columns = (TextColumn("replaying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("replay", total=len(moments))
        try:
            played = replay(Desktop(url, key), moments, lambda p: progress.update(task, completed=p.queries))
        except ReplayError as exc:
            err.print(f"[red]replay stopped:[/red] {exc}")
            raise typer.Exit(1) from exc
    ranks = ", ".join(f"{rank}: {count}" for rank, count in sorted(played.by_rank.items()))
    console.print(f"{played.queries} moments: a shown answer used {played.used_shown} (by rank {ranks}), "
                  f"found by search and used {played.used_found}, not found {played.missed}")


@eval_app.command("finetune")
def eval_finetune(
    knowledge: Annotated[Path, typer.Option("--knowledge", help="Doc2Dial knowledge directory")],
    queries: Annotated[Path, typer.Option("--queries", help="queries JSONL (transcript, gold_article, "
                                                            "gold_answers)")],
    workdir: Annotated[Path, typer.Option(help="the tuned model, both indexes, the held-out queries")] = Path(
        "/tmp/assist-finetune"),
    train_half: Annotated[str, typer.Option(help="tune on this half's articles (A or B); judge on the other")] = "A",
    limit: Annotated[int, typer.Option(help="only the first N training pairs (0 = all)", min=0)] = 0,
    epochs: Annotated[int, typer.Option(min=1)] = 1,
    batch_size: Annotated[int, typer.Option(min=2, help="pairs a step; the others in a batch are the negatives")] = 16,
    tuned: Annotated[Path | None, typer.Option(help="a model tuned before on the same half: skip the training")] = None,
) -> None:
    """Fine-tune the encoder on one half of the articles' (customer turn, passage) pairs, build an index with the
    base and the tuned encoder, score the other half's queries on each, and time every cost (issue 22)."""
    import json
    import time

    from assist.index.embedder import Embedder, source_path
    from assist.index.loaded import load_index
    from assist.knowledge.articles import load_catalog
    from assist.retrieval.retriever import Retriever
    from assist.retrieval.tuning import Tuning
    from assist_eval.doc2dial import evaluate, read_queries
    from assist_eval.finetune import HALVES, Training, fine_tune, half_of, pairs_for, per_million, write_half

    if train_half not in HALVES:
        raise typer.BadParameter(f"expected one of {HALVES}, got {train_half!r}", param_hint="--train-half")
    settings = settings_from_env()
    logging.basicConfig(level=logging.WARNING)
    test_half = HALVES[1 - HALVES.index(train_half)]
    workdir.mkdir(parents=True, exist_ok=True)
    held_out = workdir / f"queries_{test_half}.jsonl"
    write_half(queries, test_half, held_out)
    articles = {a.id: a for a in load_catalog(knowledge).articles}
    train = [q for q in read_queries(queries) if half_of(q.gold_article) == train_half]
    pairs = pairs_for(train, articles, settings.passage_target)[: limit or None]
    model = tuned or workdir / "model"
    costs = {"pairs": len(pairs)} if tuned else fine_tune(source_path(), pairs, model, Training(epochs, batch_size))
    report: dict[str, object] = dict(costs)
    started = time.perf_counter()  # the export and quantisation a first load of the tuned model does
    Embedder(backend="onnx", cache_dir=settings.model_cache, model_dir=model)
    report["export_s"] = round(time.perf_counter() - started, 1)
    bench = read_queries(held_out)
    for name, model_dir in (("base", None), ("tuned", model)):
        encoder = settings.model_copy(update={"model_dir": model_dir})
        started = time.perf_counter()
        build(knowledge, workdir / f"index-{name}", encoder)
        seconds = time.perf_counter() - started
        embedder = Embedder(threads=settings.torch_threads, backend=settings.encoder, cache_dir=settings.model_cache,
                            model_dir=model_dir)
        index = load_index(workdir / f"index-{name}", embedder)
        passages = len(index.passages)
        report[name] = {"build_s": round(seconds, 1), "passages": passages, "1M_passages_h": per_million(
            passages, seconds), **evaluate(Retriever(index, embedder, Tuning()), bench).summary()}
    console.print_json(json.dumps(report))


@eval_app.command("gaps")
def eval_gaps(
    offtopic: Annotated[list[Path] | None, typer.Option("--offtopic", help="off-topic questions JSONL {theme, "
                                                        "text}; default: the two in tests/data")] = None,
    doc2dial_knowledge: Annotated[Path | None, typer.Option("--doc2dial-knowledge")] = None,
    doc2dial_queries: Annotated[Path | None, typer.Option("--doc2dial-queries", help="queries JSONL")] = None,
    doc2dial_index: Annotated[Path, typer.Option("--doc2dial-index")] = Path("indexes/doc2dial"),
    outside: Annotated[Path | None, typer.Option("--outside", help="a held-out gap set: themes.jsonl and "
                                                  "answers_to_agent.jsonl (run it once)")] = None,
    knowledge: KnowledgeOpt = None,
    index_dir: IndexDirOpt = None,
) -> None:
    """The gap report from outside: off-topic needs listed (recall), Doc2Dial's in-scope questions not listed
    (false-gap rate), and on a held-out set the largest group of each theme, groups mixing themes, and answers to
    the agent listed."""
    from assist.call import Call
    from assist.index.embedder import Embedder
    from assist.index.update import is_stale
    from assist.service import KnowledgeService
    from assist_eval.doc2dial import read_queries
    from assist_eval.gaps import ANSWER, grouping, listed, rate, read_answers, read_themes

    settings = settings_from_env()
    logging.basicConfig(level=logging.WARNING)
    embedder = Embedder(threads=settings.torch_threads, backend=settings.encoder, cache_dir=settings.model_cache)

    def served(tree: Path, versions: Path) -> KnowledgeService:
        if is_stale(read_catalog(tree, settings), versions, settings.passage_target):
            build(tree, versions, settings)
        service = KnowledgeService(versions, embedder)
        service.load()
        return service

    today = dt.date.today()
    retail = served(knowledge or settings.knowledge_dir, index_dir or settings.index_dir)
    for path in offtopic or OFF_TOPIC:
        found = listed(retail, [item.call for item in read_themes(path)], today)
        console.print(f"off-topic recall on {path}: [bold]{rate(found)}[/bold] of {len(found)}")
    if doc2dial_knowledge is not None and doc2dial_queries is not None:
        dev = served(doc2dial_knowledge, doc2dial_index)
        queries = read_queries(doc2dial_queries)
        found = listed(dev, [Call(transcript=q.transcript) for q in queries], today)
        console.print(f"false-gap rate on {doc2dial_queries}: [bold]{rate(found)}[/bold] of {len(found)}")
    if outside is not None:
        answers = outside / "answers_to_agent.jsonl"  # optional: a set may hold themes only
        labelled = read_themes(outside / "themes.jsonl") + (read_answers(answers) if answers.exists() else [])
        found = listed(retail, [item.call for item in labelled], today)
        scored = grouping(retail, labelled, found)
        asked = [g for g, item in zip(found, labelled, strict=True) if item.label != ANSWER]
        console.print(f"{outside}: {rate(asked)} of {len(asked)} questions listed; answers to the agent listed: "
                      f"{scored.answers_listed} of "
                      f"{scored.answers}; groups mixing labels: {len(scored.mixed)}")
        table = Table("theme", "largest group", title="largest group of each theme")
        for theme, (most, total) in scored.largest.items():
            table.add_row(theme, f"{most} of {total}")
        console.print(table)
        for group in scored.groups:
            typer.echo(f"  {group.size:>3}  [{' '.join(group.label)}]  {group.representative}")
        for mixed in scored.mixed:
            typer.echo(f"  mixed: {sorted(set(mixed))}")
