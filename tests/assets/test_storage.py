import pytest

from app.assets.storage import FileStorage
from app.errors import NotFound


def test_save_load_delete_round_trip(tmp_path):
    storage = FileStorage(tmp_path)
    storage.save("1/ab/abc.png", b"bytes")
    assert storage.load("1/ab/abc.png") == b"bytes"
    assert [p.name for p in (tmp_path / "1" / "ab").iterdir()] == ["abc.png"]  # no temp file left
    storage.delete("1/ab/abc.png")
    with pytest.raises(NotFound):
        storage.load("1/ab/abc.png")


def test_failed_write_leaves_no_partial_file(tmp_path):
    storage = FileStorage(tmp_path)
    with pytest.raises(TypeError):
        storage.save("k.png", object())  # not bytes: the write fails half-way
    assert list(tmp_path.iterdir()) == []


def test_keys_cannot_escape_the_root(tmp_path):
    with pytest.raises(ValueError):
        FileStorage(tmp_path / "root").save("../outside.png", b"x")


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's standalone S3-compatible server on a loopback port (real HTTP, like the provider fakes)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_storage(s3_endpoint, monkeypatch):
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(Bucket="assets")
    from app.assets.storage import from_config
    return from_config({"IMAGE_STUDIO_S3_BUCKET": "assets", "IMAGE_STUDIO_S3_PREFIX": "prod",
                        "IMAGE_STUDIO_S3_ENDPOINT_URL": s3_endpoint, "IMAGE_STUDIO_S3_REGION": "us-east-1",
                        "IMAGE_STUDIO_STORAGE_DIR": "/nonexistent"})


def test_s3_backend_round_trip(s3_storage, s3_endpoint):
    import boto3

    s3_storage.save("1/ab/abc.png", b"png-bytes")
    assert s3_storage.load("1/ab/abc.png") == b"png-bytes"
    keys = [o["Key"] for o in boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
            .list_objects_v2(Bucket="assets")["Contents"]]
    assert keys == ["prod/1/ab/abc.png"]
    s3_storage.delete("1/ab/abc.png")
    with pytest.raises(NotFound):
        s3_storage.load("1/ab/abc.png")


def test_app_stores_results_in_s3_when_configured(make_app, s3_storage, s3_endpoint, token_for, make_user):
    app = make_app(IMAGE_STUDIO_S3_BUCKET="assets", IMAGE_STUDIO_S3_ENDPOINT_URL=s3_endpoint,
                   IMAGE_STUDIO_S3_REGION="us-east-1")
    from app.assets.service import store_result
    from app.auth.service import create_user
    from app.auth.tokens import issue_token
    with app.test_request_context():
        user = create_user("s3@example.com", "long-enough-pw")
        stored = store_result(user.id, studio="create", operation="generate", data=b"\x89PNG-fake",
                              mime_type="image/png", width=1, height=1, provider="sandbox", model=None)
        token = issue_token(user, app.config["SECRET_KEY"], 60)
    response = app.test_client().get(stored.url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.data == b"\x89PNG-fake"
