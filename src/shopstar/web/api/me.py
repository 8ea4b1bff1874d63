"""``/me``: who the token belongs to."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import Connection

from shopstar.web.api.schemas import MeOut, plain_json_response
from shopstar.web.deps import ApiCredentials, authenticate
from shopstar.web.reads import run_read

router = APIRouter(tags=["me"])


@router.get("/me", response_model=MeOut)
async def me(request: Request, credentials: ApiCredentials) -> Response:
    """The authenticated user, their organisation, role, token scopes and categories."""

    def query(db: Connection) -> dict[str, Any]:
        principal = authenticate(db, credentials)
        return {
            "id": principal.user_id,
            "email": principal.email,
            "name": principal.name,
            "role": principal.role.value,
            "organization": {
                "id": principal.org_id,
                "kind": principal.org_kind.value,
                "name": principal.org_name,
                "external_id": principal.org_external_id,
            },
            "scopes": sorted(principal.scopes),
            "categories": list(principal.categories),
        }

    return plain_json_response(await run_read(request, query))
