"""WSGI entry point for gunicorn and `flask --app wsgi`; the only module that builds the app at import."""
from app import create_app

app = create_app()
