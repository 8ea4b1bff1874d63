"""``/me``: who the token belongs to."""

from __future__ import annotations

from fastapi import APIRouter

from shopstar.web.api.schemas import MeOut, OrganizationOut
from shopstar.web.deps import ApiPrincipal

router = APIRouter(tags=["me"])


@router.get("/me", response_model=MeOut)
def me(principal: ApiPrincipal) -> MeOut:
    """The authenticated user, their organisation, role, token scopes and categories."""
    return MeOut(
        id=principal.user_id,
        email=principal.email,
        name=principal.name,
        role=principal.role.value,
        organization=OrganizationOut(
            id=principal.org_id,
            kind=principal.org_kind.value,
            name=principal.org_name,
            external_id=principal.org_external_id,
        ),
        scopes=sorted(principal.scopes),
        categories=list(principal.categories),
    )
