"""Catalog sync: Arrow tables (and the lake's Parquet files) upserted into the app DB."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import func, select

from appworld import World, catalog_tables
from shopstar.accounts import authorizations
from shopstar.accounts.models import AuditEvent, Authorization, Organization, OrgKind
from shopstar.catalog.models import Creator, Product, Shop
from shopstar.catalog.sync import sync_from_lake, sync_from_tables
from shopstar.db import make_engine, make_sessionmaker


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model))


def test_sync_creates_rows_orgs_and_authorisations(db_url: str) -> None:
    engine = make_engine(db_url)
    with make_sessionmaker(engine).begin() as session:
        report = sync_from_tables(session, catalog_tables())
    with make_sessionmaker(engine)() as session:
        assert (_count(session, Creator), _count(session, Shop), _count(session, Product)) == (
            4,
            3,
            4,
        )
        kinds = dict(
            session.execute(
                select(Organization.kind, func.count()).group_by(Organization.kind)
            ).all()
        )
        assert kinds == {"agency": 2, "shop": 3, "creator": 4}
        pairs = session.execute(
            select(Organization.external_id, Authorization.creator_id, Authorization.status)
            .join(Organization, Organization.id == Authorization.agency_org_id)
            .order_by(Authorization.creator_id)
        ).all()
        assert [tuple(p) for p in pairs] == [
            ("a1", "c1", "active"),
            ("a1", "c2", "active"),
            ("a2", "c3", "active"),
        ]
        assert session.get_one(Shop, "s1").organization_id is not None
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "catalog.sync"))
        assert [e.detail["creators"]["inserted"] for e in events] == [4]
    assert report.counts["products"].inserted == 4
    engine.dispose()


def test_resync_is_idempotent_keeps_app_fields_and_revocations(world: World) -> None:
    engine = make_engine(world.db_url)
    sessions = make_sessionmaker(engine)
    creator = world.principal("creator")
    with sessions.begin() as session:
        session.get_one(Creator, "c1").bio = "I sell lipstick"
        auth = session.scalars(select(Authorization).where(Authorization.creator_id == "c1")).one()
        authorizations.revoke(session, creator, auth.id)
    tables = catalog_tables()
    creators = tables["creators"].to_pylist()
    creators[0]["followers"] = 60_000
    tables["creators"] = pa.Table.from_pylist(creators, schema=tables["creators"].schema)
    with sessions.begin() as session:
        report = sync_from_tables(session, tables)
    assert report.counts["creators"].updated == 1
    assert report.counts["creators"].unchanged == 3
    assert report.counts["products"].unchanged == 4
    assert report.counts["authorizations"].inserted == 0
    with sessions() as session:
        c1 = session.get_one(Creator, "c1")
        assert (c1.followers, c1.bio) == (60_000, "I sell lipstick")
        auth = session.scalars(select(Authorization).where(Authorization.creator_id == "c1")).one()
        assert auth.status == "revoked"
    engine.dispose()


def test_agency_known_only_from_a_creator_gets_a_placeholder(db_url: str) -> None:
    tables = {"creators": catalog_tables()["creators"]}
    engine = make_engine(db_url)
    with make_sessionmaker(engine).begin() as session:
        sync_from_tables(session, tables)
    with make_sessionmaker(engine).begin() as session:
        sync_from_tables(session, {"agencies": catalog_tables()["agencies"]})
    with make_sessionmaker(engine)() as session:
        names = session.execute(
            select(Organization.external_id, Organization.name)
            .where(Organization.kind == OrgKind.AGENCY.value)
            .order_by(Organization.external_id)
        ).all()
        assert [tuple(n) for n in names] == [("a1", "Alpha Agency"), ("a2", "Beta")]
    engine.dispose()


class _FilesLake:
    def __init__(self, files: dict[str, list[Path]]) -> None:
        self._files = files

    def files(self, entity: str) -> Sequence[Path]:
        return self._files.get(entity, [])


def test_sync_from_lake_reads_every_live_file(db_url: str, tmp_path: Path) -> None:
    files: dict[str, list[Path]] = {}
    for entity, table in catalog_tables().items():
        half = table.num_rows // 2
        parts = [table.slice(0, half), table.slice(half)]
        files[entity] = []
        for i, part in enumerate(parts):
            path = tmp_path / f"{entity}-{i}.parquet"
            pq.write_table(part, path)
            files[entity].append(path)
    engine = make_engine(db_url)
    with make_sessionmaker(engine).begin() as session:
        report = sync_from_lake(session, _FilesLake(files))
    assert report.counts["creators"].inserted == 4
    assert report.counts["shops"].inserted == 3
    with make_sessionmaker(engine)() as session:
        assert session.get_one(Product, "p3").shop_id == "s2"
    engine.dispose()
