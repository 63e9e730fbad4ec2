"""The encoders: torch (the reference) and the int8 ONNX export; length-sorted batching; the cached export."""

from __future__ import annotations

import shutil
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pytest

from assist.errors import ConfigurationError, IndexMismatchError
from assist.index import storage
from assist.index.embedder import MODEL_PACKAGE, Embedder
from assist.index.loaded import load_index

PASSAGES = [
    "Refunds go back to the original payment method within 5 to 7 business days after we receive the return.",
    "To return an item, pack it in its original box and print the prepaid return label from your order page.",
    "Items bought with a gift card are refunded as store credit instead of money.",
    "Standard shipping takes 3 to 5 business days; express delivery arrives the next business day.",
    "You can track your parcel with the tracking number in your shipping confirmation email.",
    "Items damaged in transit are replaced free of charge if reported within 14 days of delivery.",
    "To reset your password, click 'Forgot password' on the sign-in page and follow the link we email you.",
    "After five failed sign-in attempts your account is locked for 30 minutes.",
    "You can change the email address on your account under Profile settings.",
]
QUERIES = [
    "how long until my refund arrives?",
    "how long does delivery take?",
    "my parcel arrived broken",
    "where is my package?",
    "my account is locked",
    "how do I send something back?",
]
# Queries whose three best passages lie further apart (in torch's scores) than int8 rounding moves them.
CLEARLY_RANKED = [
    "I forgot my password and cannot sign in",
    "can I get cash back for a gift card purchase?",
    "how do I update my email address?",
]


def _onnx_or_skip() -> None:
    pytest.importorskip("onnxruntime", reason="the onnx encoder needs onnxruntime (pip install onnxruntime onnx)")
    pytest.importorskip("onnx", reason="exporting the onnx encoder needs onnx (pip install onnxruntime onnx)")


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def onnx_embedder(model_cache: Path) -> Embedder:
    _onnx_or_skip()
    return Embedder(threads=1, backend="onnx", cache_dir=model_cache)


def _model_file(cache: Path) -> Path:
    from assist.index.onnx import MODEL_FILE, RECIPE_DIR

    return cache / f"{MODEL_PACKAGE}-{version(MODEL_PACKAGE)}" / RECIPE_DIR / MODEL_FILE


def _fake_export(monkeypatch: pytest.MonkeyPatch, calls: list[Path]) -> None:
    """Replace the slow export with one that writes a few bytes, counting its calls."""
    from assist.index import onnx

    def export(model_dir: Path, out: Path) -> None:
        calls.append(out)
        out.write_bytes(b"not a model")

    monkeypatch.setattr(onnx, "export", export)
    monkeypatch.setattr(onnx, "quantize", lambda fp32, int8: int8.write_bytes(fp32.read_bytes()))


def test_encode_returns_rows_in_input_order_after_sorting_by_length(embedder: Embedder) -> None:
    texts = [PASSAGES[0], "ok", PASSAGES[6], QUERIES[1], "a"]
    batches: list[int] = []
    vectors = embedder.encode(texts, batch_size=2, on_batch=batches.append)
    one_by_one = np.vstack([embedder.encode([text]) for text in texts])
    np.testing.assert_allclose(vectors, one_by_one, atol=1e-4)
    assert batches == [2, 2, 1]


def test_encode_of_no_texts_is_an_empty_matrix(embedder: Embedder) -> None:
    assert embedder.encode([]).shape == (0, embedder.dimension)


def test_onnx_vectors_are_unit_length_float32(onnx_embedder: Embedder) -> None:
    vectors = onnx_embedder.encode(PASSAGES)
    assert vectors.dtype == np.float32
    assert vectors.shape == (len(PASSAGES), onnx_embedder.dimension)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_onnx_and_torch_vectors_agree_per_text(embedder: Embedder, onnx_embedder: Embedder) -> None:
    texts = PASSAGES + QUERIES + CLEARLY_RANKED
    cosines = (embedder.encode(texts) * onnx_embedder.encode(texts)).sum(axis=1)
    assert cosines.min() >= 0.99, dict(zip(texts, cosines.round(4).tolist(), strict=True))


def test_onnx_and_torch_rank_the_same_top_three_passages(embedder: Embedder, onnx_embedder: Embedder) -> None:
    def top3(encoder: Embedder) -> list[list[int]]:
        passages = encoder.encode(PASSAGES)
        scores = [encoder.encode([query])[0] @ passages.T for query in CLEARLY_RANKED]  # one at a time, as served
        return [[int(i) for i in np.argsort(-row)[:3]] for row in scores]

    assert top3(onnx_embedder) == top3(embedder)


def test_onnx_encoder_has_its_own_model_name(embedder: Embedder, onnx_embedder: Embedder) -> None:
    assert onnx_embedder.name != embedder.name
    assert "ONNX" in onnx_embedder.name and MODEL_PACKAGE in onnx_embedder.name
    assert onnx_embedder.dimension == embedder.dimension


def test_index_built_with_torch_refuses_the_onnx_encoder(built_index_dir: Path, onnx_embedder: Embedder) -> None:
    with pytest.raises(IndexMismatchError, match="ONNX"):
        load_index(built_index_dir, onnx_embedder)


def test_second_onnx_embedder_loads_the_cached_export(
    onnx_embedder: Embedder, model_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exported = _model_file(model_cache)
    before = exported.stat()
    calls: list[Path] = []
    _fake_export(monkeypatch, calls)
    again = Embedder(threads=1, backend="onnx", cache_dir=model_cache)
    assert calls == []
    assert exported.stat().st_mtime_ns == before.st_mtime_ns
    np.testing.assert_array_equal(again.encode(QUERIES), onnx_embedder.encode(QUERIES))


def test_failed_export_leaves_no_model_file_and_the_next_one_writes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _onnx_or_skip()
    from assist.index.onnx import cached_model

    calls: list[Path] = []
    _fake_export(monkeypatch, calls)

    def fail_replace(step: str, path: Path) -> None:
        if step == "replace":
            raise OSError(f"injected failure at {step} {path}")

    with storage.inject_faults(fail_replace), pytest.raises(OSError, match="injected"):
        cached_model(Path("unused"), tmp_path)
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == []
    written = cached_model(Path("unused"), tmp_path)
    assert written.read_bytes() == b"not a model"
    assert len(calls) == 2


def test_unreadable_cached_export_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _onnx_or_skip()
    _fake_export(monkeypatch, [])
    with pytest.raises(ConfigurationError, match="delete it"):
        Embedder(threads=1, backend="onnx", cache_dir=tmp_path)


def test_onnx_backend_needs_a_cache_directory() -> None:
    with pytest.raises(ValueError, match="cache_dir"):
        Embedder(backend="onnx")


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="tensorflow"):
        Embedder(backend="tensorflow")  # type: ignore[arg-type]


def test_threads_below_one_are_refused() -> None:
    with pytest.raises(ValueError, match="threads"):
        Embedder(threads=0)


def test_a_model_directory_names_its_vectors_by_its_contents(tmp_path: Path) -> None:
    from assist.index.embedder import encoder_name, source_path

    copy = tmp_path / "tuned"
    shutil.copytree(source_path(), copy)
    first = encoder_name("onnx", model_dir=copy)
    assert first.startswith("tuned int8 ONNX (sha256 ") and first != encoder_name("onnx")
    (copy / "README.md").write_text("tuned on the support team's calls")
    assert encoder_name("onnx", model_dir=copy) != first  # an index built before the change is rebuilt


def test_a_model_directory_replaces_the_packaged_model(tmp_path: Path) -> None:
    from assist.index.embedder import source_path

    copy = tmp_path / "copy"
    shutil.copytree(source_path(), copy)
    embedder = Embedder(threads=1, model_dir=copy)
    assert embedder.name.startswith("copy (sha256 ")
    packaged = Embedder(threads=1).encode(PASSAGES[:2])
    np.testing.assert_allclose(embedder.encode(PASSAGES[:2]), packaged, atol=1e-6)


def test_the_onnx_encoder_reads_the_length_limit_of_either_sentence_transformers_format(tmp_path: Path) -> None:
    _onnx_or_skip()
    from assist.index.onnx import max_tokens_of

    (tmp_path / "sentence_bert_config.json").write_text('{"max_seq_length": 128}')
    assert max_tokens_of(tmp_path) == 128
    (tmp_path / "sentence_bert_config.json").write_text('{"transformer_task": "feature-extraction"}')
    (tmp_path / "tokenizer_config.json").write_text('{"model_max_length": 256}')  # as version 6 saves it
    assert max_tokens_of(tmp_path) == 256
