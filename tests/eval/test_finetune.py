from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assist.cli import app
from assist.index.manifest import MANIFEST
from assist.index.versions import current_version, version_path
from assist.knowledge.articles import load_catalog
from assist_eval.doc2dial import read_queries
from assist_eval.finetune import Training, batches, half_of, pairs_for, per_million, write_half

from ..conftest import FIXTURE_KB

EXPRESS = "Express delivery arrives in two days."
QUERIES = [  # shipping-times and gold-lounge fall in half A, license-renewal and returns-stain in half B
    ("a1", "shipping-times", "how fast is express delivery?", EXPRESS),
    ("a2", "shipping-times", "where can I follow my parcel?",
     "Customers can follow their parcel with the tracking number in the confirmation email."),
    ("a3", "gold-lounge", "is there a phone line for gold members?",
     "Gold members have a dedicated concierge phone line that answers within one minute, day and night."),
    ("b1", "license-renewal", "can I renew my driver license online?",
     "Online renewal needs a photo taken within the last eight years."),
    ("b2", "returns-stain", "my shirt arrived with a stain, can I send it back?",
     "Customers whose clothes arrived with a stain, mark or spot can send them back."),
]


def _queries(path: Path) -> Path:
    path.write_text("".join(json.dumps({"qid": qid, "domain": "", "gold_article": article, "gold_answers": [answer],
                                        "transcript": [{"speaker": "customer", "text": text}]}) + "\n"
                            for qid, article, text, answer in QUERIES))
    return path


def test_half_of_keeps_near_copies_of_a_page_together() -> None:
    assert half_of("ssa-retirement-estimator-1") == half_of("ssa-retirement-estimator-2") == half_of(
        "ssa-retirement-estimator")
    assert {half_of(f"article-{n}x") for n in range(20)} == {"A", "B"}


def test_pairs_for_pair_the_customer_turn_with_the_passage_holding_the_answer(tmp_path: Path) -> None:
    articles = {a.id: a for a in load_catalog(FIXTURE_KB).articles}
    pairs = pairs_for(read_queries(_queries(tmp_path / "q.jsonl")), articles, 450)
    assert pairs[0][0] == "how fast is express delivery?"
    assert pairs[0][1].startswith("How long delivery takes\n") and EXPRESS in pairs[0][1]
    assert len(pairs) == len(QUERIES)


def test_batches_never_repeat_a_passage_within_a_batch() -> None:
    pairs = [(f"q{n}", f"p{n % 3}") for n in range(12)]
    planned = batches(pairs, 8, random.Random(0))
    assert all(len({p for _, p in batch}) == len(batch) == 3 for batch in planned)
    assert sum(map(len, planned)) == 12


def test_training_refuses_a_batch_without_negatives() -> None:
    with pytest.raises(ValueError, match="batch_size >= 2"):
        Training(batch_size=1)


def test_write_half_keeps_only_that_half(tmp_path: Path) -> None:
    out = tmp_path / "b.jsonl"
    assert write_half(_queries(tmp_path / "q.jsonl"), "B", out) == 2
    assert [q.gold_article for q in read_queries(out)] == ["license-renewal", "returns-stain"]
    assert per_million(1000, 36.0) == 10.0


def test_eval_finetune_tunes_exports_builds_and_scores_the_other_half(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSIST_ENCODER", "torch")  # the tuned model is still exported to int8 ONNX and timed
    monkeypatch.setenv("ASSIST_MODEL_CACHE", str(tmp_path / "cache"))
    work = tmp_path / "work"
    result = CliRunner().invoke(app, ["eval", "finetune", "--knowledge", str(FIXTURE_KB), "--queries",
                                      str(_queries(tmp_path / "q.jsonl")), "--workdir", str(work),
                                      "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("\n{") + 1:])  # after the builds' lines
    assert report["pairs"] == 3 and report["steps"] >= 1 and report["export_s"] > 0
    assert report["base"]["queries"] == report["tuned"]["queries"] == 2
    assert (work / "queries_B.jsonl").is_file() and (work / "model" / "modules.json").is_file()
    tuned = work / "index-tuned"
    manifest = json.loads((version_path(tuned, current_version(tuned) or "") / MANIFEST).read_text())
    assert manifest["model"].startswith("model (sha256 ")
