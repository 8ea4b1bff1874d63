"""The web app: JSON API under ``/api/v1`` and server-rendered pages, built by a factory."""

from shopstar.web.app import create_app

__all__ = ["create_app"]
