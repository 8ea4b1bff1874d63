"""Run a policy-scoped listing query with a total count and a page of rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, func, select
from sqlalchemy.orm import Session

from shopstar.web.api.schemas import Pagination


def page_of(
    session: Session, stmt: Select[*tuple[Any, ...]], page: Pagination
) -> tuple[list[Any], int]:
    """The rows of ``stmt`` (already scoped and ordered) for ``page``, and the total count."""
    count = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = list(session.scalars(stmt.limit(page.limit).offset(page.offset)))
    return rows, count or 0


def plain_page(
    db: Connection | Session,
    count_stmt: Select[*tuple[Any, ...]],
    rows_stmt: Select[*tuple[Any, ...]],
    page: Pagination,
) -> dict[str, Any]:
    """The ``{"data", "count", "limit", "offset"}`` body of ``rows_stmt`` (plain columns, scoped
    and ordered; rows as dicts) for ``page``, and ``count_stmt`` (the ``count(*)`` of the same
    rows) as the total, in one statement: the count rides along each row as an uncorrelated
    subquery, evaluated once. Only a page past the end needs a second statement for it."""
    total = count_stmt.correlate(None).scalar_subquery()
    result = db.execute(rows_stmt.add_columns(total).limit(page.limit).offset(page.offset))
    names = list(result.keys())[:-1]
    rows = result.all()
    data = [dict(zip(names, row[:-1], strict=True)) for row in rows]
    # no row: nothing matches (count 0), or the page starts past the end (count them)
    count = rows[0][-1] if rows else (db.scalar(count_stmt) if page.offset else 0)
    return {"data": data, "count": count, "limit": page.limit, "offset": page.offset}
