"""The int8 ONNX encoder: exported once from the packaged model into a cache directory, run on onnxruntime.

sentence-transformers' own ONNX backend needs optimum-onnx, which does not install beside transformers 5; the
export here is the same recipe done directly: torch's ONNX exporter over the packaged weights (mean pooling and
normalisation inside the graph), then onnxruntime's dynamic int8 quantisation. Nothing is downloaded.
"""

from __future__ import annotations

import json
import logging
import tempfile
import warnings
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from assist.errors import ConfigurationError
from assist.index import storage
from assist.index.vectors import Vectors

# Bump when the export or quantisation changes: vectors change, so indexes built before must be rebuilt.
RECIPE_DIR = "int8-dynamic-r1"
MODEL_FILE = "model.onnx"
INPUTS = ("input_ids", "attention_mask")
log = logging.getLogger(__name__)


def cached_model(model_dir: Path, cache_dir: Path) -> Path:
    """The int8 ONNX file for the sentence-transformers model in `model_dir`, exported into `cache_dir` once.

    The file is written atomically, so a crashed or concurrent export never leaves a half-written model behind.
    """
    target = cache_dir / RECIPE_DIR / MODEL_FILE
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    log.info("exporting the int8 ONNX encoder (once)", extra={"path": str(target)})
    with tempfile.TemporaryDirectory(prefix="assist-onnx-") as work:
        fp32, int8 = Path(work) / "fp32.onnx", Path(work) / "int8.onnx"
        export(model_dir, fp32)
        quantize(fp32, int8)
        storage.write_file(target, int8.read_bytes())
    return target


def export(model_dir: Path, out: Path) -> None:
    """Export the transformer with mean pooling and L2 normalisation, so the graph returns sentence vectors."""
    import torch  # only an export needs torch
    from transformers import AutoModel

    pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    # sentence-transformers 6 saves {"pooling_mode": "mean"}; the packaged (older) model a flag per mode
    if not (pooling.get("pooling_mode_mean_tokens") or pooling.get("pooling_mode") == "mean"):
        raise ConfigurationError(f"{model_dir}: the ONNX export supports mean pooling only, found {pooling}")
    # The eager attention exports the plain graph that onnxruntime's optimizer recognises.
    bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class Sentence(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert  # a submodule, so its weights export as initializers

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    sample = torch.ones(2, 8, dtype=torch.int64)
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # tracer warnings about the mask code paths; the axes are dynamic
        torch.onnx.export(Sentence(), (sample, sample), str(out), dynamo=False, opset_version=17,
                          input_names=list(INPUTS), output_names=["embedding"],
                          dynamic_axes={**axes, "embedding": {0: "batch"}})


def quantize(fp32: Path, int8: Path) -> None:
    """Dynamic int8 quantisation of the weight matrix products (per output channel, full 8-bit range)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root, quiet = logging.getLogger(), _NoPreprocessingAdvice()
    root.addFilter(quiet)
    try:
        quantize_dynamic(fp32, int8, weight_type=QuantType.QInt8, per_channel=True, reduce_range=False,
                         op_types_to_quantize=["MatMul"])
    finally:
        root.removeFilter(quiet)


class _NoPreprocessingAdvice(logging.Filter):
    """onnxruntime's quantiser advises (on the root logger) a shape pre-pass that this graph does not need."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()


def max_tokens_of(model_dir: Path) -> int:
    """The word pieces the model reads: `max_seq_length` of the sentence-transformers config, which version 6
    moved to the tokenizer's `model_max_length`."""
    config = json.loads((model_dir / "sentence_bert_config.json").read_text())
    if "max_seq_length" in config:
        return int(config["max_seq_length"])
    return int(json.loads((model_dir / "tokenizer_config.json").read_text())["model_max_length"])


class OnnxEncoder:
    """Tokenizes with the packaged tokenizer and runs the cached int8 graph; returns unit-length vectors."""

    def __init__(self, model_dir: Path, cache_dir: Path, threads: int | None) -> None:
        path = cached_model(model_dir, cache_dir)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or 0  # 0: onnxruntime's default, one per core
        options.inter_op_num_threads = 1
        try:
            self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own unexported error types
            raise ConfigurationError(f"{path}: cannot load the cached ONNX model ({exc}); delete it to export "
                                     "it again") from exc
        max_tokens = max_tokens_of(model_dir)
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self._tokenizer.enable_padding()  # to the longest text of each batch, not the file's fixed length
        self.dimension = int(self._session.get_outputs()[0].shape[1])

    def __call__(self, texts: list[str]) -> Vectors:
        encodings = self._tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        }
        return np.ascontiguousarray(self._session.run(None, feed)[0], dtype=np.float32)
