"""Run a policy-scoped listing query with a total count and a page of rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from shopstar.web.api.schemas import Pagination


def page_of(
    session: Session, stmt: Select[*tuple[Any, ...]], page: Pagination
) -> tuple[list[Any], int]:
    """The rows of ``stmt`` (already scoped and ordered) for ``page``, and the total count."""
    count = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = list(session.scalars(stmt.limit(page.limit).offset(page.offset)))
    return rows, count or 0
