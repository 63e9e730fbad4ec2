"""Prometheus metrics: requests and latency by route and status, the live index, reloads, feedback and
the event store's recording.

Each app owns its registry, so several apps (tests, or two services in one process) never collide.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.registry import Collector

from assist.feedback.recorder import Recorder
from assist.service import KnowledgeService

CONTENT_TYPE = CONTENT_TYPE_LATEST
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ServiceCollector(Collector):
    """Reads the service's state at scrape time: nothing to keep in sync on reload."""

    def __init__(self, service: KnowledgeService) -> None:
        self.service = service

    def collect(self) -> Iterator[Metric]:
        """The live index version and size, and reload counts."""
        snapshot = self.service.snapshot
        info = InfoMetricFamily("assist_index", "The index version being served", labels=[])
        loaded = GaugeMetricFamily("assist_index_loaded", "1 when a verified index version is served")
        passages = GaugeMetricFamily("assist_index_passages", "Passages in the served index version")
        articles = GaugeMetricFamily("assist_index_articles", "Articles in the served index version")
        loaded.add_metric([], 1.0 if snapshot else 0.0)
        if snapshot is not None:
            info.add_metric([], {"version": snapshot.index.version})
            passages.add_metric([], float(snapshot.index.manifest.count))
            articles.add_metric([], float(len(snapshot.index.articles)))
        yield from (info, loaded, passages, articles)
        yield CounterMetricFamily("assist_index_reloads", "Index versions loaded and swapped in",
                                  value=self.service.reloads)
        yield CounterMetricFamily("assist_index_reload_failures", "Index versions refused by verification",
                                  value=self.service.reload_failures)


class RecorderCollector(Collector):
    """The event store's recorder at scrape time: what was stored, dropped (queue full) or failed (database)."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def collect(self) -> Iterator[Metric]:
        """Suggestions recorded, dropped and failed, and the queue's backlog."""
        recorder = self.recorder
        yield CounterMetricFamily("assist_suggestions_recorded", "Suggestions stored in the event store",
                                  value=recorder.recorded)
        yield CounterMetricFamily("assist_suggestions_dropped", "Suggestions not stored: the queue was full",
                                  value=recorder.dropped)
        yield CounterMetricFamily("assist_suggestions_record_failures",
                                  "Suggestions not stored: the event store refused them", value=recorder.failed)
        yield GaugeMetricFamily("assist_record_backlog", "Suggestions waiting to be stored", value=recorder.backlog)


class Metrics:
    """The app's registry and the instruments the HTTP layer updates."""

    def __init__(self, service: KnowledgeService, recorder: Recorder | None = None) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("assist_http_requests", "HTTP requests by route, method and status",
                                ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram("assist_http_request_duration_seconds", "HTTP request latency",
                                 ["route", "method", "status"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.feedback = Counter("assist_feedback_events", "Feedback events stored, by kind",
                                ["kind"], registry=self.registry)
        # Questions nothing answered well: the gap report editors work from.
        self.suggestions = Counter("assist_suggestions", "Suggestions made, by whether they were a knowledge gap",
                                   ["knowledge_gap"], registry=self.registry)
        self.registry.register(ServiceCollector(service))
        if recorder is not None:
            self.registry.register(RecorderCollector(recorder))

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one finished request and its latency."""
        labels = (route, method, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def render(self) -> bytes:
        """The exposition text of every metric."""
        return generate_latest(self.registry)
