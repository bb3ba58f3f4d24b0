"""Jobs in /metrics: the queue depth read from the database, outcomes and durations counted."""
import time

from app.extensions import db
from app.jobs.models import Job

METRICS = {"Authorization": "Bearer m-token"}


def test_queue_depth_comes_from_the_database_and_outcomes_are_counted(make_app, user, token_for):
    app = make_app(METRICS_TOKEN="m-token")
    client, auth = app.test_client(), {"Authorization": f"Bearer {token_for()}"}
    with app.app_context():
        db.session.add_all([Job(user_id=user, operation="create", backend="rq", status=status, request={})
                            for status in ("queued", "queued", "running", "succeeded")])
        db.session.commit()
    text = client.get("/metrics", headers=METRICS).get_data(as_text=True)
    assert 'image_studio_jobs{status="queued"} 2.0' in text
    assert 'image_studio_jobs{status="running"} 1.0' in text

    url = client.post("/api/image-studio/create", json={"prompt": "a kite"},
                      headers={**auth, "Prefer": "respond-async"}).headers["Location"]
    deadline = time.monotonic() + 20
    while client.get(url, headers=auth).get_json()["status"] != "succeeded":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    text = client.get("/metrics", headers=METRICS).get_data(as_text=True)
    finished = [line for line in text.splitlines()
                if line.startswith('image_studio_jobs_finished_total{operation="create",status="succeeded"}')]
    assert finished and float(finished[0].split()[-1]) >= 1
    assert 'image_studio_job_duration_seconds_count{operation="create",status="succeeded"}' in text
