"""A web worker loads what its configuration uses: with the default in-memory rate limits
and in-process jobs, neither redis nor rq (~6.7 MiB of a 27 MP Social request's worker)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys, time
from app import create_app
from app.auth import service as accounts
from app.auth.tokens import issue_token
from app.extensions import db

app = create_app({config!r})
with app.app_context():
    db.create_all()
    token = issue_token(accounts.create_user("lean@example.com", None), app.config["SECRET_KEY"], 600)
client = app.test_client()
headers = {{"Authorization": "Bearer " + token}}
accepted = client.post("/api/image-studio/create", headers={{**headers, "Prefer": "respond-async"}},
                       json={{"prompt": "a lighthouse", "provider": "sandbox", "width": 64, "height": 64}})
assert accepted.status_code == 202, accepted.get_json()
for _ in range(200):
    status = client.get(accepted.get_json()["status_url"], headers=headers).get_json()["status"]
    if status == "succeeded":
        break
    time.sleep(0.05)
print(status, sorted(name for name in sys.modules if name.split(".")[0] in ("redis", "rq")))
"""


def test_a_worker_running_a_job_in_process_never_loads_redis_or_rq(tmp_path):
    config = {"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "lean-worker-secret-0123456789",
              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'lean.db'}",
              "IMAGE_STUDIO_STORAGE_DIR": str(tmp_path / "assets"), "JOBS_SUPERVISE": False}
    ran = subprocess.run([sys.executable, "-c", PROBE.format(config=config)], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert ran.stdout.strip().splitlines()[-1] == "succeeded []"
