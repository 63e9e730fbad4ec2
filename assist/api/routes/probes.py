"""Health, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from assist.api.access import MaybeRecorderDep, MetricsDep, ServiceDep, metrics_reader
from assist.api.metrics import CONTENT_TYPE
from assist.api.schemas.admin import Health
from assist.index import versions

router = APIRouter()


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
def readyz(service: ServiceDep, recorder: MaybeRecorderDep) -> Response:
    """Ready once a verified index version is loaded and the event store (when on) can keep events; says
    so when CURRENT names a refused version."""
    version, refused = service.version, service.refused
    unready = "no index is loaded yet" if version is None else recorder.store.problem() if recorder else None
    if unready is not None:
        return JSONResponse(Health(status="unavailable", detail=unready).model_dump(), status_code=503)
    detail = None
    if refused is not None and refused.version == versions.current_version(service.index_dir):
        detail = f"CURRENT names {refused.version}, which failed verification; serving {version}"
    ranker, refused_ranker = service.ranker, service.ranker_refused
    if refused_ranker is not None:
        detail = (f"{detail}; " if detail else "") + (f"the learned ranker {refused_ranker.version} could not be "
                                                     f"loaded; serving {ranker or 'the hand weights'}")
    return JSONResponse(Health(status="ready", index_version=version, ranker_version=ranker,
                               detail=detail).model_dump())


@router.get("/metrics", include_in_schema=False, dependencies=[Depends(metrics_reader)])
def prometheus(metrics: MetricsDep) -> Response:
    """Prometheus exposition."""
    return Response(metrics.render(), media_type=CONTENT_TYPE)
