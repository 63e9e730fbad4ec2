"""What the served knowledge base holds, as the agent's desk reads it: an article, and the vocabulary."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from assist.api.access import ServiceDep, client
from assist.api.schemas.admin import ERRORS, ErrorOut
from assist.api.schemas.suggestion import ArticleOut, SectionOut
from assist.api.schemas.vocabulary import FactTermOut, VocabularyOut
from assist.call import Call
from assist.errors import IndexNotFoundError

router = APIRouter(dependencies=[Depends(client)])


@router.get("/v1/articles/{article_id}", response_model=ArticleOut,
            responses={**ERRORS, 404: {"model": ErrorOut, "description": "no such article for this caller"}})
def article(article_id: Annotated[str, Path(max_length=128)], service: ServiceDep,
            segment: Annotated[str | None, Query(max_length=64)] = None,
            role: Annotated[str | None, Query(max_length=64)] = None) -> ArticleOut:
    """An article as the agent reads it, for the links in answers; visibility as for suggest."""
    found, passages = service.article(article_id, Call(segment=segment, role=role))
    return ArticleOut(article_id=found.id, title=found.title, steps=list(found.steps),
                      sections=[SectionOut.model_validate(p) for p in passages])


@router.get("/v1/vocabulary", response_model=VocabularyOut,
            responses={**ERRORS, 503: {"model": ErrorOut, "description": "no index loaded"}})
def vocabulary(service: ServiceDep) -> VocabularyOut:
    """The facts the served policies read (with the label, type and unit the desk shows them with), and the
    segments and roles they know."""
    snapshot = service.snapshot
    if snapshot is None:
        raise IndexNotFoundError(f"no index loaded from {service.index_dir}")
    words = snapshot.index.policies.vocabulary
    return VocabularyOut(facts=[FactTermOut.model_validate(term) for term in words.facts.values()],
                         segments=list(words.segments), roles=list(words.roles))
