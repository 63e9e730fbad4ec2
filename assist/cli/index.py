"""`assist index …`: build, update, list, roll back and prune index versions."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from assist.cli.common import IndexDirOpt, KnowledgeOpt, console, disk_error, err, read_catalog, settings_from_env
from assist.errors import AssistError
from assist.index import versions
from assist.settings import Settings

if TYPE_CHECKING:
    from assist.index.build import TextEncoder
    from assist.index.embedder import Embedder
    from assist.index.shards import StreamEncoder

index_app = typer.Typer(help="Build and manage index versions", no_args_is_help=True)


@index_app.callback()
def _index_logging() -> None:
    """The index commands' warnings (such as a writer waiting for the lock) go to stderr."""
    logger = logging.getLogger("assist")
    if not any(isinstance(h, RichHandler) for h in logger.handlers):
        logger.addHandler(RichHandler(level=logging.WARNING, console=err, show_time=False, show_path=False))


def _embedder(settings: Settings, failure: str) -> Embedder:
    """The configured encoder, or exit 1 with one line (an unreadable cached ONNX model, a missing runtime)."""
    from assist.index.embedder import Embedder

    try:
        return Embedder(backend=settings.encoder, cache_dir=settings.model_cache, model_dir=settings.model_dir)
    except AssistError as exc:
        typer.echo(f"{failure}: {exc}", err=True)
        raise typer.Exit(1) from exc


@contextmanager
def _embedding(label: str, failure: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar for the block's embedding; a domain or disk error ends the command in one line, exit 1."""
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("embed", total=None)
        try:
            yield lambda done, total: progress.update(task, completed=done, total=total)
        except AssistError as exc:
            progress.stop()
            typer.echo(f"{failure}:\n{exc}", err=True)
            raise typer.Exit(1) from exc
        except OSError as exc:
            progress.stop()
            typer.echo(f"{failure}: {disk_error(exc)}", err=True)
            raise typer.Exit(1) from exc


RayOpt = Annotated[bool, typer.Option("--ray", help="embed on Ray (pip install 'assist[ray]'): a local Ray on "
                                                   "this machine's cores, or the cluster at --ray-address")]
AddressOpt = Annotated[str | None, typer.Option("--ray-address", metavar="ADDRESS",
                                                help="a Ray cluster: ray://host:10001, or host:6379 from inside it")]
ConcurrencyOpt = Annotated[int | None, typer.Option("--ray-concurrency", min=1, help="Ray actors [default: all CPUs, "
                                                                                   "or one per GPU]")]
BatchOpt = Annotated[int, typer.Option("--ray-batch-size", min=1, help="texts per Ray batch")]
GpusOpt = Annotated[float, typer.Option("--ray-gpus", min=0, help="GPUs per actor (CUDA; needs ASSIST_ENCODER=torch)")]


@contextmanager
def _cluster(ray: str | None, settings: Settings, options: tuple[int | None, int, float], failure: str
             ) -> Iterator[tuple[TextEncoder | None, StreamEncoder | None, tuple[str, int]]]:
    """The encoder to embed with (a Ray cluster's, or None: this process) and how to record it; `ray` is
    None (no Ray), "local" (start one here) or a cluster's address."""
    if ray is None:
        yield None, None, ("local", 1)
        return
    from assist.index.cluster import Cluster, ClusterOptions

    concurrency, batch_size, num_gpus = options
    address = None if ray == "local" else ray
    try:
        cluster = Cluster(ClusterOptions(address, concurrency, batch_size, num_gpus), settings.encoder,
                          settings.model_cache, settings.model_dir)
    except AssistError as exc:
        typer.echo(f"{failure}: {exc}", err=True)
        raise typer.Exit(1) from exc
    try:
        yield cluster.encode, cluster.stream, ("ray", cluster.workers)
    finally:
        cluster.close()


def build(knowledge: Path, index_dir: Path, settings: Settings, ray: str | None = None,
          ray_options: tuple[int | None, int, float] = (None, 256, 0.0)) -> str:
    """Embed and publish the knowledge tree with a progress bar (here, or on Ray); return the new version."""
    from assist.index.build import build_index

    catalog = read_catalog(knowledge, settings)
    embedder = _embedder(settings, "index not built")
    with _cluster(ray, settings, ray_options, "index not built") as (encode, stream, engine), \
            _embedding("embedding passages", "index not built") as on_progress:
        version = build_index(catalog, embedder, index_dir, settings.passage_target, on_progress=on_progress,
                              ann_from=settings.ann_threshold, encode=encode, engine=engine, stream=stream)
    console.print(f"published index version [bold]{version}[/bold] ({len(catalog.articles)} articles) in {index_dir}")
    return version


@index_app.command("build")
def index_build(knowledge: KnowledgeOpt = None, index_dir: IndexDirOpt = None, ray: RayOpt = False,
                ray_address: AddressOpt = None, ray_concurrency: ConcurrencyOpt = None, ray_batch_size: BatchOpt = 256,
                ray_gpus: GpusOpt = 0.0) -> None:
    """Full rebuild: embed every article and publish a new version atomically."""
    settings = settings_from_env()
    build(knowledge or settings.knowledge_dir, index_dir or settings.index_dir, settings,
          _ray_target(ray, ray_address), (ray_concurrency, ray_batch_size, ray_gpus))


def _ray_target(ray: bool, address: str | None) -> str | None:
    """None (no Ray), "local" or the cluster's address; an address without --ray is a usage error."""
    if address is not None and not ray:
        raise typer.BadParameter("--ray-address needs --ray", param_hint="--ray-address")
    return (address or "local") if ray else None


def update(knowledge: Path, index_dir: Path, settings: Settings, ray: str | None = None,
           ray_options: tuple[int | None, int, float] = (None, 256, 0.0)) -> str | None:
    """Re-embed only changed articles and publish; return the new version, or None when nothing changed."""
    from assist.index.update import update_index

    catalog = read_catalog(knowledge, settings)
    embedder = _embedder(settings, "index not updated")
    with _cluster(ray, settings, ray_options, "index not updated") as (encode, _, engine), \
            _embedding("embedding changed passages", "index not updated") as on_progress:
        result = update_index(catalog, embedder, index_dir, settings.passage_target, on_progress=on_progress,
                              ann_from=settings.ann_threshold, encode=encode, engine=engine)
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
def index_update(knowledge: KnowledgeOpt = None, index_dir: IndexDirOpt = None, ray: RayOpt = False,
                 ray_address: AddressOpt = None, ray_concurrency: ConcurrencyOpt = None,
                 ray_batch_size: BatchOpt = 256, ray_gpus: GpusOpt = 0.0) -> None:
    """Incremental: re-embed only articles whose content changed, drop deleted ones, publish a new version."""
    settings = settings_from_env()
    update(knowledge or settings.knowledge_dir, index_dir or settings.index_dir, settings,
           _ray_target(ray, ray_address), (ray_concurrency, ray_batch_size, ray_gpus))


@index_app.command("list")
def index_list(index_dir: IndexDirOpt = None) -> None:
    """Published versions, oldest first, one per line; the live one is marked with `*`."""
    from assist.index.manifest import read_manifest

    directory = index_dir or settings_from_env().index_dir
    live = versions.current_version(directory)
    for name in versions.list_versions(directory):
        try:
            manifest = read_manifest(versions.version_path(directory, name))
            about = f"built {manifest.built_at}  {len(manifest.articles)} articles  {manifest.count} passages"
        except AssistError as exc:
            about = f"unreadable: {exc}"
        typer.echo(f"{'*' if name == live else ' '} {name}  {about}")


@index_app.command("rollback")
def index_rollback(
    version: Annotated[str, typer.Argument(help="a version from `assist index list`")], index_dir: IndexDirOpt = None
) -> None:
    """Verify VERSION and make it live again (a running service picks it up like any publish)."""
    from assist.index.publishing import rollback

    directory = index_dir or settings_from_env().index_dir
    try:
        rollback(directory, version)
    except AssistError as exc:
        err.print(f"[red]not rolled back:[/red] {exc}")
        raise typer.Exit(1) from exc
    except OSError as exc:
        typer.echo(f"not rolled back: {disk_error(exc)}", err=True)
        raise typer.Exit(1) from exc
    console.print(f"live index version is now [bold]{version}[/bold]")


@index_app.command("prune")
def index_prune(
    keep: Annotated[int, typer.Option("--keep", min=1, help="how many of the newest versions to keep")],
    index_dir: IndexDirOpt = None,
) -> None:
    """Delete all but the KEEP newest versions; the live version is always kept."""

    try:
        removed = versions.prune(index_dir or settings_from_env().index_dir, keep)
    except OSError as exc:
        typer.echo(f"not pruned: {disk_error(exc)}", err=True)
        raise typer.Exit(1) from exc
    console.print(f"removed {len(removed)} versions" + "".join(f"\n  {name}" for name in removed))
