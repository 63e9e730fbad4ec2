from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from assist.index.build import build_index
from assist.index.embedder import Embedder
from assist.index.versions import current_version
from assist.knowledge.articles import load_catalog
from assist_eval.bench_encoder import floor, manifest_index_type, raw_encoder, recall_at_10
from tests.conftest import FIXTURE_KB

QUERIES = ["how do I renew my licence", "can I return a stained shirt", "yes", "what does it cost"]


@pytest.fixture(autouse=True)
def _keep_torch_threads() -> Iterator[None]:
    """The measures set torch's process-wide thread count; later tests get theirs back."""
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


def test_floor_times_an_encode_and_an_exact_search_of_every_vector(built_index_dir: Path) -> None:
    result = floor(built_index_dir, QUERIES, samples=8)
    assert result.samples == 8 and result.vectors > 0
    assert result.encode_ms > 0 and result.search_ms > 0 and result.total_ms >= result.search_ms


def test_recall_of_a_flat_index_is_one_by_definition_without_searching(built_index_dir: Path) -> None:
    recall = recall_at_10(built_index_dir, QUERIES)
    assert recall.exact and recall.recall == 1.0 and recall.queries == 0
    assert recall.index_type == "IndexFlatIP"
    assert manifest_index_type(built_index_dir, current_version(built_index_dir) or "") == "flat"


def test_recall_of_an_ann_index_is_measured_against_exact_search(tmp_path: Path, embedder: Embedder) -> None:
    build_index(load_catalog(FIXTURE_KB), embedder, tmp_path, ann_from=1)
    recall = recall_at_10(tmp_path, QUERIES)
    assert not recall.exact and recall.queries == len(QUERIES)
    assert recall.index_type == "IndexIVFFlat" and 0.0 <= recall.recall <= 1.0
    assert recall.recall > 0.5  # an inverted file over a few dozen vectors probes every list
    assert manifest_index_type(tmp_path, current_version(tmp_path) or "") != "flat"


def test_raw_encoder_encodes_a_sample_of_the_build_texts_or_all_of_them() -> None:
    result = raw_encoder(FIXTURE_KB, target=450, sample=6)
    assert result.texts == 6 and result.seconds > 0 and result.per_second > 0
    assert raw_encoder(FIXTURE_KB, target=450, sample=10_000).texts < 10_000
