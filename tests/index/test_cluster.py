"""Embedding on Ray: a local cluster builds the same index as this process, and a cluster that cannot be had
is a clear error, never a hang."""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from assist.cli import app
from assist.errors import ConfigurationError
from assist.index import versions
from assist.index.build import build_index
from assist.index.cluster import Cluster, ClusterOptions
from assist.index.embedder import Embedder
from assist.index.loaded import load_index
from assist.knowledge.articles import load_catalog
from tests.conftest import FIXTURE_KB

ray = pytest.importorskip("ray", reason="the ray extra is not installed (pip install 'assist[ray]')")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A local Ray on this machine, one actor (two cores: one for the driver)."""
    started = Cluster(ClusterOptions(concurrency=1, batch_size=4), "torch", Path("/nonexistent-model-cache"))
    yield started
    started.close()


def test_a_local_ray_build_matches_the_local_build(tmp_path: Path, embedder: Embedder, cluster: Cluster) -> None:
    catalog = load_catalog(FIXTURE_KB)
    here, there = tmp_path / "local", tmp_path / "ray"
    build_index(catalog, embedder, here)
    build_index(catalog, embedder, there, encode=cluster.encode, engine=("ray", cluster.workers))
    local, remote = load_index(here, embedder), load_index(there, embedder)
    assert [p.key for p in local.passages] == [p.key for p in remote.passages]
    a, b = local.vectors.reconstruct_n(0, local.vectors.ntotal), remote.vectors.reconstruct_n(0, remote.vectors.ntotal)
    assert np.all(np.sum(a * b, axis=1) > 1 - 1e-5)  # every vector the same direction (cosine)
    manifest = json.loads((versions.version_path(there, versions.current_version(there) or "") /
                           "manifest.json").read_text())
    assert manifest["build"]["engine"] == "ray" and manifest["build"]["workers"] == 1
    assert manifest["build"]["embedded"] == len(remote.passages)


def test_an_unreachable_cluster_is_an_error_naming_its_address() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConfigurationError, match=f"127.0.0.1:{port}"):
        Cluster(ClusterOptions(address=f"127.0.0.1:{port}"), "torch", Path("/tmp"))
    with pytest.raises(ConfigurationError, match="expected host:port"):
        Cluster(ClusterOptions(address="somewhere"), "torch", Path("/tmp"))


def test_gpu_actors_need_the_torch_encoder() -> None:
    with pytest.raises(ConfigurationError, match="ASSIST_ENCODER=torch"):
        Cluster(ClusterOptions(num_gpus=1), "onnx", Path("/tmp"))


def test_ray_missing_is_one_line_naming_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # as if the extra were not installed
    monkeypatch.setenv("ASSIST_ENCODER", "torch")
    result = CliRunner().invoke(app, ["index", "build", "--ray", "--knowledge", str(FIXTURE_KB),
                                      "--index-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "pip install 'assist[ray]'" in result.output
    assert versions.current_version(tmp_path) is None


def test_a_ray_address_without_ray_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["index", "build", "--ray-address", "127.0.0.1:6379", "--index-dir",
                                      str(tmp_path)])
    assert result.exit_code == 2 and "--ray-address needs --ray" in result.output


def test_a_ray_build_of_an_ivf_index_adds_its_shards_as_they_come(
    tmp_path: Path, embedder: Embedder, cluster: Cluster
) -> None:
    catalog = load_catalog(FIXTURE_KB)
    build_index(catalog, embedder, tmp_path / "local", ann_from=1)
    build_index(catalog, embedder, tmp_path / "ray", ann_from=1, encode=cluster.encode, stream=cluster.stream,
                engine=("ray", cluster.workers))
    local, remote = load_index(tmp_path / "local", embedder), load_index(tmp_path / "ray", embedder)
    assert remote.manifest.index_type == "ivf"
    a, b = local.vectors.reconstruct_n(0, local.vectors.ntotal), remote.vectors.reconstruct_n(0, remote.vectors.ntotal)
    assert np.all(np.sum(a * b, axis=1) > 1 - 1e-5)
