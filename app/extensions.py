"""Unbound Flask extensions; `create_app` binds them to each app.

Only third-party code is imported here, so any module may import these objects without
pulling in the rest of the project (and without import cycles). The rate limiter lives
with its key functions in `app/ratelimit.py`; the smorest `Api` is built per app.
"""
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

db = SQLAlchemy()
csrf = CSRFProtect()
