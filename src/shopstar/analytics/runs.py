"""Retention of published score runs: list them, and delete the ones no longer wanted.

Every ``shopstar score`` publishes a run (~1.16M rows at 10M order lines) and keeps the previous
ones; this module lets an operator see them and give the space back. Never removed:

- the served run (the latest complete one: :func:`shopstar.analytics.published.latest_run`);
- a run still ``running`` whose publisher (the process recorded on the run) is alive;
- a run still ``running`` whose publisher is unknown (another host or boot, or a run published
  before revision 0006) if it is newer than the served one, or started less than
  :data:`RUNNING_GRACE` ago: nothing here says whether that process is alive.

A run still ``running`` whose publisher ran on this host and is dead
(:func:`shopstar.analytics.liveness.state`) is abandoned: it is removed at once, newer than the
served run or not. Its publisher can no longer commit it, and a SQLite loader process left
behind by it commits a run only if it is still ``running`` (and holds the write lock meanwhile).

Each run goes in a transaction of its own that re-reads it, so a run whose state changed since
it was listed is left alone. PostgreSQL drops the run's partitions (``DROP TABLE`` of each
partition: no row is visited; see docs/performance.md "Pruning runs" for why not ``DETACH``
first); SQLite deletes the run's rows by ``run_id``, and its file keeps its size until
:func:`vacuum` (freed pages are reused by the next runs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, func, inspect, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from shopstar.analytics import liveness
from shopstar.analytics.liveness import State
from shopstar.analytics.published import (
    CreatorCategoryMetric,
    CreatorCategoryScore,
    ProductTrend,
    RisingStar,
    ScoreRun,
    latest_run,
    partition_name,
)
from shopstar.db.types import utcnow
from shopstar.errors import ShopstarError

RESULT_MODELS: dict[str, type[Any]] = {
    "metric_rows": CreatorCategoryMetric,
    "score_rows": CreatorCategoryScore,
    "rising_rows": RisingStar,
    "trend_rows": ProductTrend,
}
"""The result tables of a run, by the name of their row count in :class:`RunInfo`."""

RUNNING_GRACE = dt.timedelta(hours=1)
LOCK_WAIT_MS = {"postgresql": 3_000, "sqlite": 60_000}
"""How long deleting a run waits for locks. On PostgreSQL dropping a partition waits for the
readers of its table and makes new readers queue behind it, so it gives up early; SQLite
readers are never blocked by a writer (WAL), so it waits for a publish to finish."""


@dataclass(frozen=True)
class RunInfo:
    """A score run as listed: its row, rows per result table, and whether it is served."""

    id: int
    as_of: dt.date
    engine: str
    currency: str | None
    status: str
    started_at: dt.datetime
    completed_at: dt.datetime | None
    served: bool
    rows: dict[str, int]
    publisher_host: str | None = None
    publisher_pid: int | None = None
    publisher_state: State | None = None  # of a run still running: alive, dead or unknown

    @property
    def abandoned(self) -> bool:
        """Still ``running``, and its publisher is known dead."""
        return self.status == "running" and self.publisher_state == State.DEAD

    def as_row(self) -> dict[str, Any]:
        """The run as one flat listing row (row counts under the keys of RESULT_MODELS;
        ``publisher`` is ``pid@host``)."""
        flat = {k: v for k, v in vars(self).items() if k != "rows"}
        state = self.publisher_state
        flat["publisher_state"] = None if state is None else str(state)
        known = self.publisher_pid is not None
        flat["publisher"] = f"{self.publisher_pid}@{self.publisher_host}" if known else None
        return {**flat, **self.rows, "total_rows": sum(self.rows.values())}


def _row_counts(session: Session, run_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {i: dict.fromkeys(RESULT_MODELS, 0) for i in run_ids}
    for key, model in RESULT_MODELS.items():
        query = select(model.run_id, func.count()).group_by(model.run_id)
        for run_id, count in session.execute(query):
            if run_id in counts:
                counts[run_id][key] = count
    return counts


def list_runs(session: Session) -> list[RunInfo]:
    """Every score run, newest first, with its row counts; none when the DB has no run table."""
    if not inspect(session.connection()).has_table(ScoreRun.__tablename__):
        return []
    runs = session.scalars(select(ScoreRun).order_by(ScoreRun.id.desc())).all()
    served = latest_run(session)
    counts = _row_counts(session, (r.id for r in runs))
    return [
        RunInfo(
            id=r.id,
            as_of=r.as_of,
            engine=r.engine,
            currency=r.currency,
            status=r.status,
            started_at=r.created_at,
            completed_at=r.completed_at,
            served=served is not None and r.id == served.id,
            rows=counts[r.id],
            publisher_host=r.publisher_host,
            publisher_pid=r.publisher_pid,
            publisher_state=_publisher_state(r),
        )
        for r in runs
    ]


def _publisher_state(run: ScoreRun) -> State | None:
    if run.status != "running":
        return None
    return liveness.state(run.publisher_host, run.publisher_pid, run.publisher_start)


def protection(
    run_id: int,
    status: str,
    started_at: dt.datetime,
    served: int | None,
    now: dt.datetime,
    publisher: State | None = None,
) -> str | None:
    """Why the run may not be deleted (a sentence), or None when it may; ``publisher`` is
    what is known of a running run's publisher (None: as ``unknown``)."""
    if run_id == served:
        return f"run {run_id} is the one being served (the latest complete run)"
    if status != "running" or publisher == State.DEAD:
        return None
    if publisher == State.ALIVE:
        return f"run {run_id} is being published (running, its publisher on this host is alive)"
    if served is None or run_id > served:
        return f"run {run_id} is being published (running, newer than the served run)"
    if now - started_at < RUNNING_GRACE:
        minutes = int((now - started_at).total_seconds() // 60)
        return (
            f"run {run_id} started publishing {minutes} min ago and may still be running "
            f"(left alone for {int(RUNNING_GRACE.total_seconds() // 60)} min)"
        )
    return None


def _served_id(runs: Sequence[RunInfo]) -> int | None:
    return next((r.id for r in runs if r.served), None)


def plan_prune(
    runs: Sequence[RunInfo], keep: int, now: dt.datetime
) -> tuple[list[RunInfo], list[str]]:
    """The runs ``prune --keep keep`` removes: complete runs beyond the ``keep`` newest, failed
    runs older than the served one, and abandoned runs (:attr:`RunInfo.abandoned`, older than
    the served one or not; or, their publisher unknown, older and past the grace); and why
    others were left."""
    if keep < 1:
        raise ShopstarError(f"keep: {keep} must be at least 1 (the served run is always kept)")
    served = _served_id(runs)
    complete = sorted((r for r in runs if r.status == "complete"), key=lambda r: -r.id)
    kept = {r.id for r in complete[:keep]}
    remove, notes = [], []
    for run in sorted(runs, key=lambda r: r.id):
        newer = run.status != "complete" and (served is None or run.id > served)
        if run.id in kept or (newer and not run.abandoned):
            continue
        reason = protection(run.id, run.status, run.started_at, served, now, run.publisher_state)
        if reason is None:
            remove.append(run)
        else:
            notes.append(reason)
    return remove, notes


def plan_delete(
    runs: Sequence[RunInfo], ids: Iterable[int], now: dt.datetime
) -> tuple[list[RunInfo], list[str]]:
    """The runs ``delete ids`` removes, and a note per id that no longer exists; raises
    :class:`ShopstarError` naming every protected run (then nothing is deleted)."""
    by_id = {r.id: r for r in runs}
    served = _served_id(runs)
    remove, notes, refused = [], [], []
    for run_id in sorted(set(ids)):
        run = by_id.get(run_id)
        if run is None:
            notes.append(f"run {run_id} does not exist (nothing to delete)")
            continue
        reason = protection(run.id, run.status, run.started_at, served, now, run.publisher_state)
        if reason is None:
            remove.append(run)
        else:
            refused.append(reason)
    if refused:
        raise ShopstarError("; ".join(refused) + ": nothing deleted")
    return remove, notes


def _lock_wait(session: Session, dialect: str) -> int | None:
    """Set how long this transaction waits for locks; on SQLite (a connection setting) return
    the previous wait, to be restored."""
    wait = LOCK_WAIT_MS[dialect]
    if dialect == "postgresql":
        session.execute(text(f"SET LOCAL lock_timeout = {wait}"))
        return None
    previous = int(session.execute(text("PRAGMA busy_timeout")).scalar_one())
    session.execute(text(f"PRAGMA busy_timeout = {wait}"))
    return previous


def _drop_rows(session: Session, run_id: int, dialect: str) -> None:
    for model in RESULT_MODELS.values():
        table = model.__table__
        if dialect != "postgresql":
            session.execute(delete(table).where(table.c.run_id == run_id))
            continue
        part = partition_name(table.name, run_id)
        attached = session.execute(
            text(
                "SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                " WHERE i.inhparent = CAST(:parent AS regclass) AND c.relname = :part"
            ),
            {"parent": table.name, "part": part},
        ).first()
        if attached is not None:
            session.execute(text(f'DROP TABLE "{part}"'))


def _remove_locked(session: Session, run: RunInfo, now: dt.datetime, dialect: str) -> bool:
    # lock the run's row first (on SQLite this takes the write lock before anything is read)
    locked = update(ScoreRun).where(ScoreRun.id == run.id).values(status=ScoreRun.status)
    if session.execute(locked).rowcount == 0:  # type: ignore[attr-defined]
        return False
    current = session.get(ScoreRun, run.id)
    if current is None or current.status != run.status:
        return False
    served = latest_run(session)
    served_id = served.id if served is not None else None
    publisher = _publisher_state(current)
    if protection(run.id, current.status, current.created_at, served_id, now, publisher):
        return False
    _drop_rows(session, run.id, dialect)
    session.execute(delete(ScoreRun).where(ScoreRun.id == run.id))
    return True


def remove_run(factory: sessionmaker[Session], run: RunInfo, now: dt.datetime) -> bool:
    """Delete ``run`` and its rows in one transaction, if it is still as listed and still not
    protected (:func:`protection`); return whether it was deleted."""
    try:
        with factory.begin() as session:
            dialect = session.get_bind().dialect.name
            previous = _lock_wait(session, dialect)
            try:
                return _remove_locked(session, run, now, dialect)
            finally:
                if previous is not None:
                    session.execute(text(f"PRAGMA busy_timeout = {previous}"))
    except OperationalError as exc:
        first = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        raise ShopstarError(
            f"run {run.id}: could not lock its tables ({first}); a run being published or long "
            "reads hold them; nothing was deleted for this run, try again"
        ) from exc


def remove_runs(
    factory: sessionmaker[Session], runs: Iterable[RunInfo], now: dt.datetime | None = None
) -> list[RunInfo]:
    """Delete ``runs`` one transaction each (:func:`remove_run`); return those deleted."""
    at = now or utcnow()
    return [run for run in runs if remove_run(factory, run, at)]


def vacuum(engine: Engine) -> bool:
    """SQLite: rewrite the database file so the pages of deleted runs go back to the OS (needs
    free disk about the size of the file). PostgreSQL needs none: return False there."""
    if engine.dialect.name != "sqlite":
        return False
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM")
    return True
