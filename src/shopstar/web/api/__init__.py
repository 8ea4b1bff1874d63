"""The JSON API under ``/api/v1``: one router per resource, assembled here.

To add routes, write a module exposing ``router: fastapi.APIRouter`` that scopes every query
with :mod:`shopstar.accounts.policy` (reads on :func:`shopstar.web.reads.run_read` with
:data:`shopstar.web.deps.ApiCredentials`, writes with :data:`shopstar.web.deps.ApiPrincipal`
and a session; docs/auth.md), then add its dotted name to :data:`ROUTER_MODULES`.
"""

from __future__ import annotations

import importlib

from fastapi import APIRouter

from shopstar.web.errors import ERROR_RESPONSES

API_PREFIX = "/api/v1"

ROUTER_MODULES: tuple[str, ...] = (
    "shopstar.web.api.me",
    "shopstar.web.api.organizations",
    "shopstar.web.api.creators",
    "shopstar.web.api.shops",
    "shopstar.web.api.products",
    "shopstar.web.api.authorizations",
    "shopstar.web.api.managers",
    "shopstar.analytics.api",
)


def api_router() -> APIRouter:
    """Every router of :data:`ROUTER_MODULES` under :data:`API_PREFIX`, with error responses."""
    api = APIRouter(prefix=API_PREFIX, responses=ERROR_RESPONSES)
    for name in ROUTER_MODULES:
        api.include_router(importlib.import_module(name).router)
    return api
