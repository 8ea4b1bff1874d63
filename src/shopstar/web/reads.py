"""Read-only API requests: all of a request's DB work in one worker-thread call.

Every ``GET`` endpoint of ``/api/v1`` authenticates, queries and builds its body in one
function run by :func:`run_read` on a worker thread, on a connection of the app's read
engine (:func:`make_read_engine`): it autocommits, so each statement reads the latest committed
data without BEGIN and ROLLBACK round trips, and it refuses writes. The event loop never waits
for the database, and at most :data:`READ_THREADS` requests per worker process hold a thread
and a connection at once (the pool's size, so no connection is opened and closed per request).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
from fastapi import Request
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from shopstar.db import make_engine

T = TypeVar("T")

READ_THREADS = 4  # per worker process; more threads only contend for the GIL on 2 cores


def make_read_engine(url: str) -> Engine:
    """The read engine: autocommit, read-only connections, :data:`READ_THREADS` of them pooled,
    no pre-ping (a connection the server closed is replaced at checkout, see
    :func:`shopstar.db.make_engine`)."""
    return make_engine(
        url,
        read_only=True,
        isolation_level="AUTOCOMMIT",
        pool_pre_ping=False,
        pool_size=READ_THREADS,
    )


async def run_read(request: Request, work: Callable[[Connection], T]) -> T:
    """``work(connection)`` on a worker thread with a read connection, returned to the pool on
    that thread. If the connection turns out dead during the work (the database restarted
    after the checkout), SQLAlchemy invalidates it and the work runs once more on a fresh
    connection, so the client does not see it."""
    state = request.app.state
    limiter = getattr(state, "read_limiter", None)
    if limiter is None:  # created on the event loop, once per app
        limiter = state.read_limiter = anyio.CapacityLimiter(READ_THREADS)
    engine: Engine = state.read_engine

    def call() -> T:
        try:
            with engine.connect() as connection:
                return work(connection)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
        with engine.connect() as connection:
            return work(connection)

    return await anyio.to_thread.run_sync(call, limiter=limiter)
