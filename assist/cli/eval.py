"""`assist eval …`: the Doc2Dial benchmark, the retail case book, the PII benchmark and `assist eval bench`
(eval_learning.py adds replay, finetune and gaps to the same group)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assist.cli.common import IndexDirOpt, KnowledgeOpt, console, err, read_catalog, settings_from_env
from assist.cli.index import build
from assist.errors import AssistError

eval_app = typer.Typer(help="Benchmarks", no_args_is_help=True)


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

    from assist.index.embedder import Embedder
    from assist.index.loaded import load_index
    from assist.index.update import is_stale
    from assist.retrieval.retriever import Retriever
    from assist.retrieval.tuning import Tuning
    from assist_eval.doc2dial import CHOSEN, CONFIGURATIONS, evaluate, read_queries, reliability_rows

    settings = settings_from_env()
    logging.basicConfig(level=logging.WARNING)
    if is_stale(read_catalog(knowledge, settings), index_dir, settings.passage_target):
        build(knowledge, index_dir, settings)
    embedder = Embedder(threads=settings.torch_threads, backend=settings.encoder, cache_dir=settings.model_cache,
                        model_dir=settings.model_dir)
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
    step_cases: Annotated[Path, typer.Option("--step-cases", help="step-status case JSONL")] = Path(
        "tests/data/retail_step_cases.jsonl"),
    knowledge: KnowledgeOpt = None,
    index_dir: IndexDirOpt = None,
    show_misses: Annotated[bool, typer.Option(help="print every miss")] = True,
) -> None:
    """Score empowerment decisions and next-best actions on a retail case book."""
    import json

    from assist.index.embedder import Embedder
    from assist.index.update import is_stale
    from assist.service import KnowledgeService
    from assist_eval.retail import read_cases, read_step_cases, score_cases, score_step_cases

    settings = settings_from_env()
    knowledge, index_dir = knowledge or settings.knowledge_dir, index_dir or settings.index_dir
    if is_stale(read_catalog(knowledge, settings), index_dir, settings.passage_target):
        build(knowledge, index_dir, settings)
    embedder = Embedder(threads=settings.torch_threads, backend=settings.encoder, cache_dir=settings.model_cache,
                        model_dir=settings.model_dir)
    service = KnowledgeService(index_dir, embedder)
    service.load()
    scores = score_cases(service, read_cases(cases))
    steps = score_step_cases(service, read_step_cases(step_cases))
    if show_misses:
        for miss in scores.misses + steps.misses:
            typer.echo(miss)
    console.print_json(json.dumps(scores.summary() | steps.summary()))


@eval_app.command("pii")
def eval_pii(
    data: Annotated[Path, typer.Option("--data", help="labelled utterances JSONL")] = Path(
        "tests/data/pii_utterances.jsonl"),
    show_misses: Annotated[bool, typer.Option(help="print every miss and false alarm")] = True,
) -> None:
    """PII removed at rest (recall), precision per kind, ordinary values kept, and the cost per utterance."""
    from assist_eval.pii import score_pii

    try:
        scores = score_pii(data)
    except (OSError, ValueError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    if show_misses:
        for miss in scores.misses:
            typer.echo(f"missed {miss.kind}: {miss.value!r} in {miss.text!r}")
        for alarm in scores.false_alarms:
            typer.echo(f"false alarm {alarm.kind}: {alarm.value!r} in {alarm.text!r}")
        for keep in scores.redacted_keeps:
            typer.echo(f"not kept: {keep.value!r} in {keep.text!r}")
    summary = scores.summary()
    kept, cost = summary.pop("kept"), summary.pop("cost")
    table = Table(title=f"PII redaction on {data}")
    for column in ("kind", "removed at rest (recall)", "precision", "support"):
        table.add_column(column)
    for kind, rates in summary.items():
        table.add_row(str(kind), f"{rates['recall']:.3f}", f"{rates['precision']:.3f}", str(int(rates["support"])))
    console.print(table)
    console.print(f"ordinary values kept: {kept['rate']:.3f} of {int(kept['support'])}; "
                  f"{cost['ms_per_utterance']:.2f} ms per utterance")


@eval_app.command("bench")
def eval_bench(
    passages: Annotated[int, typer.Option(min=1, help="size of the knowledge base, in passages")] = 100_000,
    workdir: Annotated[Path, typer.Option(help="where the corpus, index, logs and results go")] = Path(
        "/tmp/assist-bench"),
    source: Annotated[Path, typer.Option(help="Doc2Dial: knowledge/ and queries_dev.jsonl")] = Path(
        "../shared/bench/doc2dial"),
    seconds: Annotated[float, typer.Option(min=1, help="measured load per concurrency")] = 30.0,
    warmup: Annotated[float, typer.Option(min=0, help="unmeasured load before each")] = 5.0,
    concurrency: Annotated[list[int] | None, typer.Option(help="desktops at once (repeat) [default: 1, 8]")] = None,
    reuse: Annotated[bool, typer.Option(help="use the workdir's corpus and index as built")] = False,
    only: Annotated[list[str] | None, typer.Option(help="phases: build, encoder, load, update (repeat)")] = None,
    docs: Annotated[str, typer.Option(help="refresh this page; --docs '' for none")] = "docs/performance.md",
) -> None:
    """Build a large Doc2Dial-based knowledge base, serve it, load /v1/suggest with wrk, report against the floor."""
    import sys

    from assist.index.embedder import Embedder
    from assist_eval.bench import PHASES, BenchOptions, built_by, reproduce_command, run_bench
    from assist_eval.bench_results import machine, markdown_table, measured_section, refresh_docs

    settings = settings_from_env()  # the build and the server read the same environment
    phases = set(only or PHASES) - ({"build"} if reuse else set())
    command = reproduce_command(sys.argv)
    try:
        options = BenchOptions(
            source, workdir, passages, seconds, warmup, tuple(concurrency or (1, 8)), frozenset(phases),
            passage_target=settings.passage_target, command=command,
            make_embedder=lambda threads: Embedder(threads, backend=settings.encoder, cache_dir=settings.model_cache,
                                                   model_dir=settings.model_dir))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    about = machine()
    try:
        results = run_bench(options, lambda line: console.print(line, soft_wrap=True))
    except AssistError as exc:
        err.print(f"[red]bench stopped:[/red] {exc}", soft_wrap=True)
        raise typer.Exit(1) from exc
    rows, stamp = results.merged(), results.stamp
    table = Table("measure", "result", "x floor", title=f"assist eval bench, {stamp}", show_lines=True)
    for row in rows:
        table.add_row(row.measure, row.value + (f" (measured {row.measured})" if row.measured != stamp else ""),
                      row.vs_floor)
    Console(width=max(console.width, 160)).print(table)
    if docs:
        commands = [built_by(workdir) or command, command]
        refresh_docs(Path(docs), measured_section(markdown_table(rows, stamp), commands, about, stamp))
        console.print(f"refreshed {docs}")
