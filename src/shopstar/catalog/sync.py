"""Copy the lake's creators, shops, products and agencies into the app DB (upsert by key).

Each shop, agency and creator gets an organisation. A creator's ``agency_id`` creates an active
authorisation of that agency the first time it is seen; authorisations are the app's own state
afterwards, so a creator's revocation survives re-syncs. Serving never reads the lake.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from shopstar.accounts import audit
from shopstar.accounts.models import Authorization, Organization, OrgKind
from shopstar.catalog.models import Creator, Product, Shop
from shopstar.contract import ENTITIES
from shopstar.db.types import utcnow

SYNCED_ENTITIES = ("agencies", "shops", "products", "creators")
_CHUNK = 5000


@dataclass
class SyncCounts:
    """Rows inserted, updated and unchanged for one entity."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class SyncReport:
    """What a sync changed, per entity (``authorizations`` counts new authorisations)."""

    counts: dict[str, SyncCounts] = field(default_factory=dict)

    def as_dict(self) -> dict[str, dict[str, int]]:
        """Plain numbers, for the audit log and printing."""
        return {k: vars(v).copy() for k, v in self.counts.items()}


class LakeFiles(Protocol):
    """What sync needs from :class:`shopstar.lake.Lake`."""

    def files(self, entity: str) -> Sequence[Path]:
        """The live Parquet files of ``entity``."""
        ...


def _records(table: pa.Table, entity: str) -> list[dict[str, Any]]:
    names = list(ENTITIES[entity].column_names)
    missing = [n for n in names if n not in table.column_names]
    if missing:
        raise ValueError(f"{entity}: table lacks column {missing[0]!r}")
    by_key: dict[Any, dict[str, Any]] = {}
    key = ENTITIES[entity].key[0]
    for row in table.select(names).to_pylist():
        by_key[row[key]] = row  # later rows win, like later batches in the lake
    return list(by_key.values())


def _chunks(rows: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), _CHUNK):
        yield rows[start : start + _CHUNK]


def _ensure_orgs(session: Session, kind: OrgKind, names: Mapping[str, str]) -> dict[str, int]:
    """Organisation ids of ``kind`` by external id, creating or renaming as needed."""
    existing = {
        ext: (oid, name)
        for ext, oid, name in session.execute(
            select(Organization.external_id, Organization.id, Organization.name).where(
                Organization.kind == kind.value
            )
        )
    }
    new = [
        {"kind": kind.value, "name": name, "external_id": ext, "created_at": utcnow()}
        for ext, name in names.items()
        if ext not in existing
    ]
    renamed = [
        {"id": existing[ext][0], "name": name}
        for ext, name in names.items()
        if ext in existing and existing[ext][1] != name
    ]
    for chunk in _chunks(new):
        session.execute(insert(Organization), chunk)
    for chunk in _chunks(renamed):
        session.execute(update(Organization), chunk)
    return {
        ext: oid
        for ext, oid in session.execute(
            select(Organization.external_id, Organization.id).where(Organization.kind == kind.value)
        )
        if ext is not None
    }


def _upsert(session: Session, model: Any, rows: list[dict[str, Any]]) -> SyncCounts:
    (key_col,) = model.__mapper__.primary_key
    columns = [c for c in rows[0] if c != key_col.name] if rows else []
    existing = {
        r[0]: tuple(r[1:])
        for r in session.execute(select(key_col, *(getattr(model, c) for c in columns)))
    }
    counts = SyncCounts()
    now = utcnow()
    new, changed = [], []
    for row in rows:
        old = existing.get(row[key_col.name])
        if old is None:
            new.append({**row, "synced_at": now})
        elif old != tuple(row[c] for c in columns):
            changed.append({**row, "synced_at": now})
        else:
            counts.unchanged += 1
    for chunk in _chunks(new):
        session.execute(insert(model), chunk)
    for chunk in _chunks(changed):
        session.execute(update(model), chunk)
    counts.inserted, counts.updated = len(new), len(changed)
    return counts


def _link_agencies(session: Session, creators: list[dict[str, Any]], orgs: dict[str, int]) -> int:
    pairs = {(orgs[c["agency_id"]], c["creator_id"]) for c in creators if c["agency_id"]}
    known = set(session.execute(select(Authorization.agency_org_id, Authorization.creator_id)))
    new = [
        {"agency_org_id": a, "creator_id": c, "status": "active", "granted_at": utcnow()}
        for a, c in sorted(pairs - {tuple(k) for k in known})
    ]
    for chunk in _chunks(new):
        session.execute(insert(Authorization), chunk)
    return len(new)


def sync_from_tables(session: Session, tables: Mapping[str, pa.Table]) -> SyncReport:
    """Upsert agencies, shops, products and creators from canonical Arrow tables (any subset;
    entity names as in ``shopstar.contract.ENTITIES``). The caller commits."""
    report = SyncReport()
    agencies = _records(tables["agencies"], "agencies") if "agencies" in tables else []
    creators = _records(tables["creators"], "creators") if "creators" in tables else []
    known_agencies = set(
        session.scalars(
            select(Organization.external_id).where(Organization.kind == OrgKind.AGENCY.value)
        )
    )
    # an agency referenced before its own row arrives is named by its id until then
    agency_names = {
        c["agency_id"]: c["agency_id"]
        for c in creators
        if c["agency_id"] and c["agency_id"] not in known_agencies
    }
    agency_names.update((a["agency_id"], a["name"]) for a in agencies)
    agency_orgs = _ensure_orgs(session, OrgKind.AGENCY, agency_names)
    report.counts["agencies"] = SyncCounts(inserted=len(agency_orgs) - len(known_agencies))
    if "shops" in tables:
        shops = _records(tables["shops"], "shops")
        orgs = _ensure_orgs(session, OrgKind.SHOP, {s["shop_id"]: s["name"] for s in shops})
        rows = [{**s, "organization_id": orgs[s["shop_id"]]} for s in shops]
        report.counts["shops"] = _upsert(session, Shop, rows)
    if "products" in tables:
        report.counts["products"] = _upsert(
            session, Product, _records(tables["products"], "products")
        )
    if creators:
        orgs = _ensure_orgs(
            session, OrgKind.CREATOR, {c["creator_id"]: c["handle"] for c in creators}
        )
        rows = [{**c, "organization_id": orgs[c["creator_id"]]} for c in creators]
        report.counts["creators"] = _upsert(session, Creator, rows)
        linked = _link_agencies(session, creators, agency_orgs)
        report.counts["authorizations"] = SyncCounts(inserted=linked)
    audit.record(session, "sync", "catalog.sync", "catalog", detail=report.as_dict())
    return report


def read_lake_tables(lake: LakeFiles) -> dict[str, pa.Table]:
    """The synced entities' current rows from the lake's Parquet files."""
    tables: dict[str, pa.Table] = {}
    for entity in SYNCED_ENTITIES:
        files = list(lake.files(entity))
        if files:
            schema = ENTITIES[entity].schema
            tables[entity] = pa.concat_tables(pq.read_table(f, schema=schema) for f in files)
    return tables


def sync_from_lake(session: Session, lake: LakeFiles) -> SyncReport:
    """:func:`sync_from_tables` over the lake's current creators, shops, products and agencies."""
    return sync_from_tables(session, read_lake_tables(lake))
