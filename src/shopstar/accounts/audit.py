"""The audit log: every write records who did what to which resource, and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from shopstar.accounts.models import AuditEvent
from shopstar.accounts.principal import Principal


def record(
    session: Session,
    actor: Principal | str,
    action: str,
    resource: str,
    resource_id: str | int | None = None,
    *,
    organization_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to ``session`` (committed with the write it describes).

    ``actor`` is the acting principal, or a label such as ``"cli"`` or ``"sync"`` for writes
    made outside a login.
    """
    if isinstance(actor, Principal):
        user_id: int | None = actor.user_id
        label = actor.email
        organization_id = organization_id if organization_id is not None else actor.org_id
    else:
        user_id, label = None, actor
    event = AuditEvent(
        actor_user_id=user_id,
        actor=label,
        action=action,
        resource=resource,
        resource_id=None if resource_id is None else str(resource_id),
        organization_id=organization_id,
        detail=detail or {},
    )
    session.add(event)
    return event
