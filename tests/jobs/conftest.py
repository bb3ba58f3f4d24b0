"""Fixtures of the job tests: an app wired to the fake providers, fast beats, high limits,
and its account (without a password: hashing one would cost each test more than its app)."""
from __future__ import annotations

from typing import NamedTuple

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer

from tests.jobs.helpers import FAST, account


class Studio(NamedTuple):
    app: Flask
    client: FlaskClient
    headers: dict[str, str]   # Authorization of `user`
    user: int


@pytest.fixture
def studio(make_app, provider_config):
    """Build an app whose providers are the loopback fakes and whose jobs beat every 0.1 s,
    with one account; keyword settings override the defaults."""
    def factory(**settings) -> Studio:
        app = make_app(**{**provider_config, **FAST, **settings})
        user, headers = account(app)
        return Studio(app, app.test_client(), headers, user)
    return factory


@pytest.fixture
def receiver():
    """A webhook receiver on 127.0.0.1 (pytest-httpserver's default host is `localhost`,
    another name for the allow list)."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()
