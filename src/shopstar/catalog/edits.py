"""Changes to the app-owned fields of catalog rows, through the policy layer and audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from shopstar.accounts import audit, policy
from shopstar.accounts.policy import Resource
from shopstar.accounts.principal import Principal
from shopstar.errors import ShopstarError

EDITABLE: dict[Resource, frozenset[str]] = {
    Resource.CREATORS: frozenset({"bio"}),
    Resource.SHOPS: frozenset({"description"}),
    Resource.PRODUCTS: frozenset({"notes"}),
}


def edit(
    session: Session, principal: Principal, resource: Resource, key: str, changes: dict[str, Any]
) -> Any:
    """Apply ``changes`` to the catalog row ``key`` of ``resource`` if the policy allows it."""
    unknown = set(changes) - EDITABLE[resource]
    if unknown:
        raise ShopstarError(f"{sorted(unknown)[0]}: cannot be changed on {resource.value}")
    row = policy.get_writable(session, principal, resource, key)
    before = {name: getattr(row, name) for name in changes}
    for name, value in changes.items():
        setattr(row, name, value)
    audit.record(
        session,
        principal,
        f"{resource.value}.update",
        resource.value,
        key,
        detail={"before": before, "after": changes},
    )
    return row
