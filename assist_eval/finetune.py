"""Does fine-tuning the encoder on (what the customer said, the passage the agent used) pay? Issue 22.

The measurement is cross-document: the Doc2Dial queries are split by gold article into two halves (a hash of
the article id), the encoder is tuned on one half's pairs and judged on the other half's queries, against the
unchanged encoder on the same half. Training is a plain torch loop over sentence-transformers'
MultipleNegativesRankingLoss: its Trainer needs `datasets` and `accelerate`, which the project does not install
for one loop of twenty lines.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import random
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assist.call import Call
from assist.index.derived import embedding_text
from assist.knowledge.articles import Article
from assist.knowledge.passages import split_article
from assist.retrieval.query import build_query
from assist_eval.doc2dial import BenchQuery, covers

HALVES = ("A", "B")
_COPY_SUFFIX = re.compile(r"-\d+$")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Training:
    """How the encoder is tuned: one pass by default, small batches (in-batch negatives), a short warm-up."""

    epochs: int = 1
    batch_size: int = 16
    learning_rate: float = 2e-5
    warmup: float = 0.1
    seed: int = 22

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 2:
            raise ValueError(f"epochs must be >= 1 and batch_size >= 2, got {self.epochs}, {self.batch_size}")
        if not 0 < self.learning_rate < 1 or not 0 <= self.warmup < 1:
            raise ValueError(f"learning rate in (0, 1) and warm-up in [0, 1), got {self.learning_rate}, "
                             f"{self.warmup}")


def half_of(article_id: str) -> str:
    """The half ("A" or "B") an article's queries fall in: stable across runs and machines.

    Doc2Dial's near-copies (`…-1`, `…-2`) share a half, so no page is trained on under one name and judged
    under another.
    """
    family = _COPY_SUFFIX.sub("", article_id)
    return HALVES[hashlib.sha256(family.encode()).digest()[0] % 2]


def pairs_for(queries: Sequence[BenchQuery], articles: dict[str, Article], passage_target: int
              ) -> list[tuple[str, str]]:
    """(the query the retriever embeds as the customer's last turn, the embedded text of the gold article's
    passage holding the gold answer) for each query whose answer one indexed passage holds."""
    split = {a.id: split_article(a, passage_target) for a in articles.values()}
    pairs = []
    for query in queries:
        article = articles.get(query.gold_article)
        if article is None:
            continue
        holding = [p for p in split[article.id] if any(covers(p.text, g) for g in query.gold_answers)]
        if holding:
            anchor = build_query(Call(transcript=query.transcript)).last
            pairs.append((anchor, embedding_text(article, holding[0])))
    return pairs


def batches(pairs: Sequence[tuple[str, str]], size: int, rng: random.Random) -> list[list[tuple[str, str]]]:
    """Shuffled batches in which no passage (or query) appears twice: with in-batch negatives a repeated
    passage would be its own negative."""
    waiting = list(pairs)
    rng.shuffle(waiting)
    out: list[list[tuple[str, str]]] = []
    while waiting:
        batch: list[tuple[str, str]] = []
        seen: set[str] = set()
        rest = []
        for pair in waiting:
            if len(batch) < size and not {pair[0], pair[1]} & seen:
                batch.append(pair)
                seen.update(pair)
            else:
                rest.append(pair)
        if len(batch) < 2:  # a lone pair has no negative to learn from
            break
        out.append(batch)
        waiting = rest
    return out


def fine_tune(model_dir: Path, pairs: Sequence[tuple[str, str]], out: Path, training: Training,
              threads: int | None = None) -> dict[str, float]:
    """Tune the sentence-transformers model in `model_dir` on `pairs` and save it to `out`; returns what it cost."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.losses import MultipleNegativesRankingLoss

    if threads is not None:
        torch.set_num_threads(threads)
    torch.manual_seed(training.seed)
    rng = random.Random(training.seed)
    model = SentenceTransformer(str(model_dir), device="cpu")
    loss = MultipleNegativesRankingLoss(model)
    plan = [b for _ in range(training.epochs) for b in batches(pairs, training.batch_size, rng)]
    optimizer = torch.optim.AdamW(model.parameters(), lr=training.learning_rate)
    warm = max(1, math.ceil(training.warmup * len(plan)))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warm, max(0.0, (len(plan) - step) / max(1, len(plan) - warm))))
    model.train()
    started, losses = time.perf_counter(), []
    for step, batch in enumerate(plan):
        features = [model.preprocess([a for a, _ in batch]), model.preprocess([p for _, p in batch])]
        value = loss(features, torch.zeros(0))
        value.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        losses.append(float(value.detach()))
        if step % 10 == 0:
            log.info("fine-tuning", extra={"step": step, "of": len(plan), "loss": round(losses[-1], 4)})
    seconds = time.perf_counter() - started
    model.eval()
    model.save(str(out))
    head = losses[: max(1, len(losses) // 10)]
    tail = losses[-max(1, len(losses) // 10):]
    return {"pairs": len(pairs), "steps": len(plan), "train_s": round(seconds, 1),
            "loss_first_tenth": round(sum(head) / len(head), 4), "loss_last_tenth": round(sum(tail) / len(tail), 4)}


def write_half(queries_file: Path, half: str, out: Path) -> int:
    """Copy the lines of `queries_file` whose gold article falls in `half` to `out`; returns how many."""
    lines = [line for line in queries_file.read_text(encoding="utf-8").splitlines()
             if line.strip() and half_of(json.loads(line)["gold_article"]) == half]
    out.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return len(lines)


def per_million(passages: int, seconds: float) -> float:
    """Hours one process at this rate takes to embed a million passages."""
    return round(1_000_000 / max(passages, 1) * seconds / 3600, 2)
