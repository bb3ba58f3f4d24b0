"""Asynchronous jobs: studio calls answered with 202 and run later, by a pool or RQ workers."""
from app.jobs import api as jobs_api
from app.jobs import cli, service, views
from app.jobs.backends import build_backend
from app.jobs.metrics import JobsCollector


def init_app(app, api) -> None:
    backend = build_backend(app)
    app.extensions["jobs"] = backend
    app.extensions["jobs_submit"] = service.submit
    api.register_blueprint(jobs_api.blp)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.jobs)
    app.extensions.setdefault("metrics_collectors", []).append(JobsCollector())
    app.extensions["modules"].append("jobs")

    @app.before_request
    def _supervise() -> None:
        """The first request of a web process starts its supervisor: orphans of a process that
        stopped are refunded at the next start, not at the next submission."""
        backend.start()
