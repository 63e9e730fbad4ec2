"""`assist eval bench`: build a large knowledge base, serve it, load it over HTTP, and report against the floor.

The phases, in order: `build` (write the corpus, time `assist index build`), `encoder` (the raw encoder on the
same texts, the stored index's recall@10), then the floor (always), `load` (cold start, wrk at each
concurrency, peak RSS) and `update` (append a sentence, time `assist index update` and the hot reload).
Rows a run does not measure are kept from the workdir's earlier run and marked with when they were measured.
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from assist.index.embedder import Embedder
from assist.index.manifest import read_manifest
from assist.index.versions import current_version, version_path
from assist.knowledge.articles import article_paths
from assist_eval import bench_encoder, bench_load
from assist_eval.bench_corpus import make_corpus
from assist_eval.bench_encoder import MakeEmbedder
from assist_eval.bench_results import BenchError, Row, merge_rows, rate, read_rows, run_stamp, write_rows
from assist_eval.bench_server import Server, assist_command, free_port, timed

PHASES = ("build", "encoder", "load", "update")
ORDER = ("corpus", "build", "raw", "floor", "cold", "load", "rss", "update", "served", "recall")
MARKER = ".assist-bench"
Say = Callable[[str], None]


@dataclass(frozen=True)
class BenchOptions:
    """What `assist eval bench` was asked to do."""

    source: Path  # holds knowledge/ and queries_dev.jsonl
    workdir: Path
    passages: int = 100_000
    seconds: float = 30.0
    warmup: float = 5.0
    concurrency: tuple[int, ...] = (1, 8)
    phases: frozenset[str] = frozenset(PHASES)
    raw_sample: int = 2000
    floor_samples: int = 200
    recall_queries: int = 500
    passage_target: int = 450
    port: int = 0
    seed: int = 7
    command: str = "scripts/bench"  # the command line of this run, kept in the workdir it builds
    make_embedder: MakeEmbedder = Embedder  # the encoder the service is configured with, for a thread count

    def __post_init__(self) -> None:
        for name in ("passages", "seconds", "raw_sample", "floor_samples", "recall_queries"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if not self.concurrency or min(self.concurrency) < 1:
            raise ValueError(f"concurrency must be at least 1, got {self.concurrency}")
        if unknown := self.phases - set(PHASES):
            raise ValueError(f"unknown phases {sorted(unknown)} (expected {', '.join(PHASES)})")

    @property
    def knowledge(self) -> Path:
        return self.workdir / "knowledge"

    @property
    def index_dir(self) -> Path:
        return self.workdir / "indexes"

    @property
    def log(self) -> Path:
        return self.workdir / "bench.log"


class Results:
    """This run's rows, saved with the workdir's earlier ones after every measure: a failure keeps the rest."""

    def __init__(self, path: Path, kept: Sequence[Row]) -> None:
        self.path, self.kept, self.stamp = path, list(kept), run_stamp()
        self.rows: list[Row] = []

    def add(self, *rows: Row) -> None:
        """Record rows, stamped with this run's time, and save the merged table."""
        self.rows += [replace(row, measured=self.stamp) for row in rows]
        write_rows(self.path, self.merged())

    def merged(self) -> list[Row]:
        """This run's rows plus the earlier ones it did not measure again, in the table's order."""
        return merge_rows(self.rows, self.kept, ORDER)

    def number(self, key: str) -> float | None:
        """The main figure of a row, from this run or an earlier one."""
        return next((row.number for row in self.merged() if row.key == key), None)


def run_bench(options: BenchOptions, say: Say) -> Results:
    """Measure the phases asked for; the results hold this run's rows and the workdir's earlier ones."""
    if "build" in options.phases:
        prepare_workdir(options.workdir, options.command)
    elif current_version(options.index_dir) is None:
        raise BenchError(f"no built index in {options.index_dir}: run once without --reuse to build it")
    results = Results(options.workdir / "results.json", read_rows(options.workdir / "results.json"))
    if "build" in options.phases:
        _build(options, results, say)
    queries = last_customer_turns(options.source / "queries_dev.jsonl")
    if "encoder" in options.phases:
        _encoder(options, queries, results, say)
    say(f"floor: {options.floor_samples} x (encode one query + exact search), 1 thread")
    floor = bench_encoder.floor(options.index_dir, queries, options.floor_samples, options.make_embedder)
    results.add(Row("floor", f"floor: encode one query + exact search of {floor.vectors:,} vectors, 1 thread "
                             f"(median of {floor.samples}; {floor.encoder})",
                    f"{floor.total_ms:.1f} ms (encode {floor.encode_ms:.1f} + search {floor.search_ms:.2f})",
                    "1.0x", number=floor.total_ms))
    if {"load", "update"} & options.phases:
        _serve(options, floor.total_ms, results, say)
    return results


def last_customer_turns(queries: Path) -> list[str]:
    """The distinct last customer turns of the benchmark queries, in file order."""
    texts: dict[str, None] = {}
    for line in queries.read_text(encoding="utf-8").splitlines():
        if line.strip():
            turns = [t["text"] for t in json.loads(line)["transcript"] if t["speaker"] == "customer"]
            if turns and turns[-1].strip():
                texts.setdefault(turns[-1], None)
    return list(texts)


def built_by(workdir: Path) -> str | None:
    """The command line that built the workdir's corpus and index, if a bench run did."""
    try:
        return str(json.loads((workdir / MARKER).read_text(encoding="utf-8"))["command"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def prepare_workdir(workdir: Path, command: str) -> None:
    """An empty workdir, or one an earlier bench run made (its corpus and index are removed)."""
    if workdir.exists() and any(workdir.iterdir()) and not (workdir / MARKER).is_file():
        raise BenchError(f"{workdir} is not empty and was not made by assist eval bench; choose another --workdir")
    for name in ("knowledge", "indexes", "results.json"):
        path = workdir / name
        if path.is_dir():
            shutil.rmtree(path)
        path.unlink(missing_ok=True)
    workdir.mkdir(parents=True, exist_ok=True)
    marker = {"command": command, "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    (workdir / MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")


def _build(options: BenchOptions, results: Results, say: Say) -> None:
    say(f"corpus: copying Doc2Dial articles into {options.knowledge} until ≈ {options.passages:,} passages")
    corpus = make_corpus(options.source / "knowledge", options.knowledge, options.passages, options.seed,
                         options.passage_target)
    say(f"build: assist index build ({corpus.passages:,} passages; ≈ {corpus.passages / 45 / 60:.0f} min at 45/s)")
    seconds = timed("build", assist_command("index", "build", "--knowledge", str(options.knowledge),
                                            "--index-dir", str(options.index_dir)),
                    600 + options.passages / 10, options.log)
    name = current_version(options.index_dir)
    if name is None:
        raise BenchError(f"build: nothing published in {options.index_dir}")
    count = read_manifest(version_path(options.index_dir, name)).count
    results.add(
        Row("corpus", "corpus: Doc2Dial articles copied, sentences shuffled (copy 0 as is)",
            f"{count:,} passages in {corpus.articles:,} articles ({corpus.source_articles} articles x "
            f"{corpus.copies} copies begun)", number=count),
        Row("build", "index build: `assist index build` as a subprocess",
            f"{seconds:,.1f} s, {rate(count, seconds):.1f} passages/s", number=rate(count, seconds)),
    )


def _encoder(options: BenchOptions, queries: Sequence[str], results: Results, say: Say) -> None:
    say(f"encoder: {options.raw_sample:,} of the build's embedding texts, length-sorted, 2 threads")
    raw = bench_encoder.raw_encoder(options.knowledge, options.passage_target, options.raw_sample,
                                    options.make_embedder, options.seed)
    build = results.number("build")
    versus = f"; the build runs at {build / raw.per_second:.2f}x raw" if build else ""
    results.add(Row("raw", f"raw encoder on the same texts ({raw.texts:,}, length-sorted, 2 threads; {raw.encoder})",
                    f"{raw.per_second:.1f} passages/s{versus}", number=raw.per_second))
    say(f"recall@10: stored index against exact search, {min(options.recall_queries, len(queries))} queries")
    recall = bench_encoder.recall_at_10(options.index_dir, queries[: options.recall_queries], options.make_embedder)
    name = current_version(options.index_dir) or ""
    kind = f"{recall.index_type}, manifest index_type {bench_encoder.manifest_index_type(options.index_dir, name)}"
    value = (f"1.0 by definition: the stored index is exact ({kind}); nothing to compare" if recall.exact
             else f"{recall.recall:.3f} ({kind})")
    results.add(Row("recall", f"recall@10 of the stored index against exact search ({recall.queries or 'no'} "
                              "queries)", value, number=recall.recall))


def _serve(options: BenchOptions, floor_ms: float, results: Results, say: Say) -> None:
    env = {"ASSIST_WATCH_SECONDS": "1"}
    if "build" not in options.phases:
        say("reuse: `assist index update` first, so the cold start serves an up-to-date index")
        timed("update", assist_command("index", "update", "--knowledge", str(options.knowledge), "--index-dir",
                                       str(options.index_dir)), 1800, options.log, env)
    port = options.port or free_port()
    with Server(options.knowledge, options.index_dir, port, options.log, env) as server:
        say(f"cold start: assist serve on port {port}, waiting for /readyz")
        cold = server.start(timeout=900)
        results.add(Row("cold", "cold start: `assist serve` until /readyz is 200", f"{cold:.1f} s",
                        number=cold))
        if "load" in options.phases:
            _load(options, server, floor_ms, results, say)
            rss = server.peak_rss_mib()
            results.add(Row("rss", "server peak RSS (VmHWM) after load", f"{rss:,.0f} MiB", number=rss))
        if "update" in options.phases:
            _update(options, server, results, say)


def _load(options: BenchOptions, server: Server, floor_ms: float, results: Results, say: Say) -> None:
    bodies = options.workdir / "bodies.txt"
    dialogues = bench_load.dialogue_bodies(options.source / "queries_dev.jsonl")
    bodies.write_text(bench_load.body_lines(dialogues), encoding="utf-8")
    for n, concurrency in enumerate(options.concurrency):
        if options.warmup > 0:
            say(f"load c={concurrency}: warm-up {options.warmup:g} s")
            bench_load.run_wrk(server.url, options.workdir, bodies, concurrency, options.warmup, 2 * n)
        say(f"load c={concurrency}: {options.seconds:g} s of wrk over {len(dialogues)} Doc2Dial dialogues")
        result = bench_load.run_wrk(server.url, options.workdir, bodies, concurrency, options.seconds, 2 * n + 1)
        say(f"  p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, {result.per_second:.1f} req/s")
        results.add(bench_load.load_row(result, floor_ms, options.warmup))


def _update(options: BenchOptions, server: Server, results: Results, say: Say) -> None:
    article = article_paths(options.knowledge)[0]
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with article.open("a", encoding="utf-8") as handle:
        handle.write(f"\n\nThis sentence was appended by the benchmark at {stamp}.\n")
    say(f"update: appended a sentence to {article.name}; assist index update, watching /readyz")
    command = assist_command("index", "update", "--knowledge", str(options.knowledge), "--index-dir",
                             str(options.index_dir))
    took, served, version = server.time_update(command, timeout=1800)
    results.add(
        Row("update", "update: `assist index update` after one article changed", f"{took:.1f} s", number=took),
        Row("served", "update: from the update's start until /readyz names the new version (watch 1 s)",
            f"{served:.1f} s ({version})", number=served),
    )


def reproduce_command(argv: Sequence[str]) -> str:
    """The `scripts/bench …` line that repeats this run (the arguments after `eval bench`)."""
    args = list(argv)
    tail = args[args.index("bench") + 1 :] if "bench" in args else []
    return " ".join(["scripts/bench", *(shlex.quote(a) for a in tail)])
