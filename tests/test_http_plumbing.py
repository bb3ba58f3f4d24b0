"""The request body is read in one call, and JSON answers are written by orjson with Flask's rules."""
import dataclasses
import datetime
import io
import json
import math
import uuid
from decimal import Decimal

import pytest
from flask import Flask, request
from flask.json.provider import DefaultJSONProvider

from app.errors import AppError
from app.http.blueprint import load_json
from app.http.body import BodyRequest, WholeBody
from app.http.json_provider import FastJSONProvider


class CountingStream(io.BytesIO):
    """A socket-like body that records every read it is asked for."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.reads: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        self.reads.append(size)
        return super().read(size)


def run_app(limit, body: bytes, headers: dict):
    seen = {}

    def app(environ, start_response):
        seen["body"] = environ["wsgi.input"].read()
        start_response("200 OK", [])
        return [b""]

    stream = CountingStream(body)
    environ = {"REQUEST_METHOD": "POST", "wsgi.input": stream, **headers}
    WholeBody(app, limit)(environ, lambda *args: None)
    return stream, seen["body"]


def test_a_body_of_known_length_is_read_in_one_call_and_passed_on_whole():
    body = json.dumps({"image_base64": "QUJD" * 300_000}).encode()
    stream, seen = run_app(10 * 1024 * 1024, body, {"CONTENT_LENGTH": str(len(body))})
    assert stream.reads[0] == len(body)
    assert seen == body


@pytest.mark.parametrize("headers", [{}, {"CONTENT_LENGTH": ""}, {"CONTENT_LENGTH": "many"}])
def test_a_body_without_a_usable_length_is_left_to_werkzeug(headers):
    stream, seen = run_app(1024, b'{"a": 1}', headers)
    assert stream.reads == [-1]   # only the app's own read
    assert seen == b'{"a": 1}'


def test_a_body_over_the_limit_is_not_read_and_is_a_413_in_the_api_shape(make_app, auth):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/api/image-studio/social/optimize", headers=auth,
                                      data=b"x" * 4096, content_type="application/json")
    assert response.status_code == 413
    assert "Request body too large" in response.get_json()["detail"]
    stream, _ = run_app(1024, b"x" * 4096, {"CONTENT_LENGTH": "4096"})
    assert stream.reads == [-1]


def test_a_large_json_body_reaches_the_route_intact(client, auth, png_payload):
    payload = png_payload(width=1200, height=900)
    response = client.post("/api/image-studio/social/optimize", headers=auth, json={
        "image_base64": payload, "platforms": ["instagram"], "output_format": "jpg"})
    assert response.status_code == 200
    (result,) = response.get_json()["results"]
    assert (result["width"], result["height"]) == (1080, 1080)


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


def test_a_buffered_body_reaches_the_request_without_another_copy():
    body = b'{"image_base64": "' + b"QUJD" * 100_000 + b'"}'
    seen = {}
    app = Flask(__name__)
    app.request_class = BodyRequest

    @app.post("/")
    def route():
        seen["data"], seen["stream"] = request.get_data(), request.stream
        return "", 204

    app.wsgi_app = WholeBody(app.wsgi_app, 10 * 1024 * 1024)
    stream = CountingStream(body)
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "SERVER_NAME": "x", "SERVER_PORT": "80",
               "wsgi.url_scheme": "http", "wsgi.input": stream, "wsgi.input_terminated": True,
               "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json"}
    app(environ, lambda *args: None)
    assert seen["data"] == body and stream.reads == [len(body)]
    assert seen["stream"] is environ["wsgi.input"]   # the buffered body itself, not werkzeug's 64 KiB guard


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
