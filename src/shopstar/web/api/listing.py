"""Policy-scoped reads for the API: a page of rows with its total count, and one row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import ColumnElement, Connection, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from shopstar.accounts import policy
from shopstar.accounts.policy import Resource
from shopstar.db.base import Base
from shopstar.web.api.schemas import Pagination, plain_json_response
from shopstar.web.deps import authenticate
from shopstar.web.reads import run_read


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


async def read_page(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    resource: Resource,
    model: type[Base],
    columns: Sequence[ColumnElement[Any]],
    filters: Sequence[ColumnElement[bool]],
    order_by: Sequence[ColumnElement[Any] | InstrumentedAttribute[Any]],
    page: Pagination,
) -> Response:
    """The response for a page of ``columns`` of the ``model`` rows matching ``filters`` that
    the caller may read (``resource`` in the policy), in ``order_by`` order, with their total:
    token lookup and query in one call on the read path."""

    def query(db: Connection) -> dict[str, Any]:
        principal = authenticate(db, credentials)
        count = select(func.count()).select_from(model).where(*filters)
        rows = select(*columns).where(*filters)
        return plain_page(
            db,
            policy.scoped(count, principal, resource),
            policy.scoped(rows, principal, resource).order_by(*order_by),
            page,
        )

    return plain_json_response(await run_read(request, query))


async def read_row(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    resource: Resource,
    key: object,
    columns: Sequence[ColumnElement[Any]],
) -> Response:
    """The response for ``columns`` of the ``resource`` row with primary key ``key`` (404 when
    it does not exist or the caller may not read it), on the read path."""

    def query(db: Connection) -> dict[str, Any]:
        principal = authenticate(db, credentials)
        return policy.get_readable_columns(db, principal, resource, key, columns)._asdict()

    return plain_json_response(await run_read(request, query))
