"""The dashboard and the JSON API (FastAPI + Jinja2): ``create_app(settings)``."""

from modelatlas.web.app import create_app

__all__ = ["create_app"]
