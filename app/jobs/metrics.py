"""Job figures read from the database at scrape time: the same answer from every web process
and true for workers on other hosts (their own counters stay in their processes)."""
from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from app.extensions import db
from app.jobs.models import LIVE, Job


class JobsCollector:
    def collect(self) -> Iterator[GaugeMetricFamily]:
        live = GaugeMetricFamily("image_studio_jobs", "Jobs queued (the queue depth) and running, "
                                 "from the database", labels=["status"])
        counts = dict(db.session.execute(select(Job.status, func.count()).where(Job.status.in_(LIVE))
                                         .group_by(Job.status)).all())
        for status in LIVE:
            live.add_metric([status], counts.get(status, 0))
        yield live
