"""Create Studio benchmark: concurrent variations and the service's own overhead.

Usage: .venv/bin/python bench/create_variations.py [--delay 0.5] [--variations 10] [--runs 3]
                                                  [--database-url URL]

An in-process fake Stability server (tests/fakes) answers every generation after `--delay`
seconds. Figures:
1. wall time of one POST /create with `--variations` images against one direct client call
   (registry.execute on the same route); goal: ratio < 1.5x;
2. the service's overhead per request (POST /create with one image, minus a direct client
   call) with the fake answering at once, p50 over 30 interleaved pairs; goal < 20 ms.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from functools import cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from werkzeug.wrappers import Response  # noqa: E402

from app import create_app  # noqa: E402
from app.auth import service as accounts  # noqa: E402
from app.auth.tokens import issue_token  # noqa: E402
from app.extensions import db  # noqa: E402
from app.providers.base import GenerateRequest  # noqa: E402
from app.providers.registry import Route  # noqa: E402
from tests.fakes.fixtures import KEYS  # noqa: E402
from tests.fakes.server import png_bytes  # noqa: E402
from tests.fakes.stability import FakeStability  # noqa: E402

SIZE = 1024  # the fake's native 1:1 size, so neither path resizes


@cache
def png(width: int, height: int) -> bytes:
    return png_bytes(width, height)


class SlowStability(FakeStability):
    """The fake Stability API, taking `delay` seconds per request like a real GPU would.

    Its images are encoded once: a real provider renders on its own machines, so the fake's
    Pillow work must not compete with the service for this process's CPU and GIL.
    """

    delay = 0.0

    def handle(self, request):
        time.sleep(self.delay)
        return super().handle(request)

    def _image(self, request, size):
        return Response(png(*size), content_type="image/png",
                        headers={"finish-reason": "SUCCESS", "seed": str(self.seed)})


def build(fake: SlowStability, workdir: str, database_url: str | None = None):
    app = create_app({"TESTING": True, "INSTANCE_PATH": workdir, "SECRET_KEY": "bench-" * 8,
                      "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{workdir}/bench.db",
                      "IMAGE_STUDIO_STORAGE_DIR": f"{workdir}/assets", "LOG_LEVEL": "WARNING",
                      "STABILITY_API_KEY": KEYS["stability"], "STABILITY_API_BASE": fake.url,
                      "RATELIMIT_ENTERPRISE": "100000 per minute", "CREDITS_ENTERPRISE": 1e9})
    with app.app_context():
        db.create_all()
        user = accounts.create_user("bench@example.com", "bench-password-1", tier="enterprise")
        token = issue_token(user, app.config["SECRET_KEY"], 3600)
    return app, {"Authorization": f"Bearer {token}"}


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.5)
    parser.add_argument("--variations", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", help="an empty database (default: SQLite in a temp dir)")
    options = parser.parse_args()
    with SlowStability(KEYS["stability"]) as fake, tempfile.TemporaryDirectory() as workdir:
        app, headers = build(fake, workdir, options.database_url)
        client = app.test_client()
        registry = app.extensions["providers"]
        route = [Route("stability", "core")]

        def direct() -> None:
            registry.execute(route, GenerateRequest("a lighthouse", width=SIZE, height=SIZE))

        def service(count: int) -> None:
            response = client.post("/api/image-studio/create", headers=headers, json={
                "prompt": "a lighthouse", "provider": "stability", "width": SIZE, "height": SIZE,
                "num_variations": count})
            assert response.status_code == 200 and response.json["total_generated"] == count

        fake.delay = options.delay
        service(1)  # warm-up: connections, templates, first database writes
        one = statistics.median(timed(direct) for _ in range(options.runs))
        many = statistics.median(timed(lambda: service(options.variations))
                                 for _ in range(options.runs))
        print(f"fake provider delay: {options.delay:.2f} s per image")
        print(f"one direct client call:        {one * 1000:8.1f} ms (median of {options.runs})")
        print(f"POST /create, {options.variations:2d} variations:   {many * 1000:8.1f} ms "
              f"(median of {options.runs})")
        print(f"ratio: {many / one:.2f}x one call (goal < 1.5x)")

        fake.delay = 0.0
        pairs = [(timed(direct), timed(lambda: service(1))) for _ in range(30)]
        direct_p50 = statistics.median(d for d, _ in pairs)
        service_p50 = statistics.median(s for _, s in pairs)
        overhead = statistics.median(s - d for d, s in pairs)
        print(f"direct client call p50:        {direct_p50 * 1000:8.1f} ms (fake answers at once)")
        print(f"POST /create (1 image) p50:    {service_p50 * 1000:8.1f} ms")
        print(f"service overhead p50:          {overhead * 1000:8.1f} ms per request (goal < 20 ms)")


if __name__ == "__main__":
    main()
