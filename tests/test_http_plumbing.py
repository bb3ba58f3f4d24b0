"""The request body is read in one call, and JSON answers are written by orjson with Flask's rules."""
import dataclasses
import datetime
import io
import json
import math
import uuid
from decimal import Decimal

import pytest
from flask import Flask, g, request
from flask.json.provider import DefaultJSONProvider

from app.errors import AppError
from app.http.blueprint import load_json, parsed_body
from app.http.body import BodyRequest
from app.http.json_provider import FastJSONProvider


class CountingStream(io.BytesIO):
    """A socket-like body that records every read it is asked for."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.reads: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        self.reads.append(size)
        return super().read(size)


def environ_for(stream: io.BytesIO, path: str = "/", **headers: str) -> dict:
    """A gunicorn-like WSGI environ (it marks its input as length-bounded)."""
    return {"REQUEST_METHOD": "POST", "PATH_INFO": path, "SERVER_NAME": "x", "SERVER_PORT": "80",
            "wsgi.url_scheme": "http", "wsgi.input": stream, "wsgi.input_terminated": True,
            "CONTENT_TYPE": "application/json", **headers}


def tiny_app(limit: int | None = None):
    """A Flask app with the project's request class whose route reads the body."""
    seen = {}
    app = Flask(__name__)
    app.request_class = BodyRequest
    app.config["MAX_CONTENT_LENGTH"] = limit

    @app.post("/")
    def route():
        seen["data"] = request.get_data()
        return "", 204

    return app, seen


def test_a_body_of_known_length_is_read_in_one_call_when_the_route_asks():
    body = json.dumps({"image_base64": "QUJD" * 300_000}).encode()
    app, seen = tiny_app(10 * 1024 * 1024)
    stream = CountingStream(body)
    app(environ_for(stream, CONTENT_LENGTH=str(len(body))), lambda *args: None)
    assert stream.reads == [len(body)] and seen["data"] == body


def test_a_json_body_is_parsed_once_and_its_bytes_are_dropped():
    """A 27 MP photo's 12.8 MB body would otherwise stay alive beside its parsed text."""
    body = json.dumps({"image_base64": "QUJD" * 300_000, "n": 1}).encode()
    app = Flask(__name__)
    app.request_class = BodyRequest
    seen = {}

    @app.post("/")
    def route():
        first = parsed_body()
        seen.update(first=first, again=parsed_body(), data=request.get_data(), rest=request.stream.read(),
                    kept=g.json_body)
        return "", 204

    app(environ_for(CountingStream(body), CONTENT_LENGTH=str(len(body))), lambda *args: None)
    assert seen["first"] == {"image_base64": "QUJD" * 300_000, "n": 1}
    assert seen["again"] is seen["first"] is seen["kept"]
    assert seen["data"] == b"" and seen["rest"] == b""


def test_a_body_without_a_length_is_left_to_werkzeug():
    app, seen = tiny_app(1024)
    stream = CountingStream(b'{"a": 1}')
    app(environ_for(stream), lambda *args: None)   # chunked: no Content-Length
    assert seen["data"] == b'{"a": 1}' and stream.reads != [8]


def test_a_body_over_the_limit_is_not_read_and_is_a_413_in_the_api_shape(make_app, auth):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    stream = CountingStream(b"x" * 4096)
    answer = {}
    body = app(environ_for(stream, "/api/image-studio/social/optimize", CONTENT_LENGTH="4096",
                           HTTP_AUTHORIZATION=auth["Authorization"]),
               lambda status, headers: answer.setdefault("status", status))
    assert answer["status"].startswith("413")
    assert "Request body too large" in json.loads(b"".join(body))["detail"]
    assert stream.reads == []


def test_a_request_refused_on_its_headers_never_has_its_body_read(app):
    stream = CountingStream(b'{"image_base64": "' + b"A" * 1_000_000 + b'"}')
    answer = {}
    app(environ_for(stream, "/api/image-studio/social/optimize", CONTENT_LENGTH=str(len(stream.getvalue()))),
        lambda status, headers: answer.setdefault("status", status))
    assert answer["status"].startswith("401") and stream.reads == []


def test_a_large_json_body_reaches_the_route_intact(client, auth, png_payload):
    payload = png_payload(width=1200, height=900)
    response = client.post("/api/image-studio/social/optimize", headers=auth, json={
        "image_base64": payload, "platforms": ["instagram"], "output_format": "jpg"})
    assert response.status_code == 200
    (result,) = response.get_json()["results"]
    assert (result["width"], result["height"]) == (1080, 1080)


UPLOADS = {
    "/api/image-studio/edit/process": {"operation": "remove_background", "provider": "sandbox"},
    "/api/image-studio/upscale": {"mode": "fast", "provider": "local"},
    "/api/image-studio/social/optimize": {"platforms": ["instagram"], "output_format": "jpg"},
    "/api/image-studio/social/optimize.zip": {"platforms": ["instagram"], "output_format": "jpg"},
    "/api/image-studio/compress": {"quality": 70},
    "/api/image-studio/convert-format": {"target_format": "webp"},
}


def test_every_studio_forgets_the_parsed_body_before_it_decodes_the_upload(client, auth, png_payload,
                                                                            monkeypatch):
    """The view's arguments then hold the upload's text alone, and the studio lets it go once
    decoded: a 27 MP photo's 13 MB of base64 is not kept beside its raster while it renders.
    Compress, Convert and the Social ZIP kept it until the answer."""
    from app.imaging import codec

    decode, kept = codec.decode_base64, {}

    def watching(payload, **options):
        kept[request.path] = "json_body" in g
        return decode(payload, **options)

    monkeypatch.setattr(codec, "decode_base64", watching)
    for path, body in UPLOADS.items():
        response = client.post(path, headers=auth, json={"image_base64": png_payload(width=96, height=64), **body})
        assert response.status_code == 200, (path, response.get_json())
    assert kept == {path: False for path in UPLOADS}


@dataclasses.dataclass
class Point:
    x: int
    y: int


VALUES = {"b": [1, 2.5, None, True], "a": {"nested": "caf\u00e9 \u00d7 2"},
          "when": datetime.datetime(2026, 12, 1, 22, 43), "day": datetime.date(2026, 12, 1),
          "price": Decimal("1.50"), "id": uuid.UUID(int=7), "point": Point(1, 2),
          "by_number": {3: "integer key", 1: "another"}}


def test_json_answers_match_flasks_own_encoder_value_for_value():
    app = Flask(__name__)
    fast, standard = FastJSONProvider(app), DefaultJSONProvider(app)
    with app.app_context():
        body = fast.response(VALUES).get_data()
        assert json.loads(body) == json.loads(standard.response(VALUES).get_data())
        assert json.loads(fast.dumps(VALUES)) == json.loads(standard.dumps(VALUES))
    assert body.endswith(b"\n") and b'": ' not in body and b', "' not in body   # compact
    text = body.decode()
    assert text.index('"a"') < text.index('"b"') < text.index('"by_number"') < text.index('"day"')  # sorted
    assert '"by_number":{"1":"another","3":"integer key"}' in text
    assert '"when":"Tue, 01 Dec 2026 22:43:00 GMT"' in text                                # Flask's date form


def test_options_of_the_standard_encoder_and_debug_output_still_work():
    app = Flask(__name__)
    app.json = FastJSONProvider(app)
    assert app.json.dumps({"b": 1, "a": 2}, indent=2) == '{\n  "a": 2,\n  "b": 1\n}'
    app.debug = True
    with app.app_context():
        assert app.json.response({"a": 1}).get_data() == b'{\n  "a": 1\n}\n'


def test_the_app_answers_through_orjson(app):
    assert isinstance(app.json, FastJSONProvider)


@pytest.mark.parametrize("text, expected", [
    (b'{"n": 1234567890123456789012345}', {"n": 1234567890123456789012345}),   # over 64 bits: exact
    (b'{"n": 18446744073709551615}', {"n": 18446744073709551615}),
    (b'{"x": 1e300, "y": [-2.5e19]}', {"x": 1e300, "y": [-2.5e19]}),
    (b'{"s": "caf\\u00e9", "l": [true, null]}', {"s": "caf\u00e9", "l": [True, None]}),
])
def test_request_json_reads_as_the_standard_parser_does(text, expected):
    value = load_json(text)
    assert value == expected and type(value.get("n", 0)) is int


def test_non_standard_literals_and_errors_are_the_standard_parsers():
    assert math.isnan(load_json(b'{"a": NaN}')["a"])
    with pytest.raises(json.JSONDecodeError):
        load_json(b'{"a": }')
    with pytest.raises(AppError):
        load_json(b'{"n": ' + b"9" * 40 + b"}")
