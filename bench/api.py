"""API load benchmark: ``shopstar serve`` (uvicorn) on loopback under a fixed request rate.

For each backend (SQLite file, PostgreSQL throwaway database) it builds a catalog, issues a
program-admin token, starts ``python -m shopstar serve``, then drives an open-loop load: requests
are scheduled at ``--rate`` per second for ``--seconds`` and spread over keep-alive connections,
alternating the creators list (``/api/v1/creators?limit=20``, with its total count) and a random
creator's detail. Latency counts from the scheduled send time, so a server that falls behind
shows it. A baseline (``/healthz``: no auth, no DB) runs at the same rate first, and the ratio of
p99s is printed. Results also go to ``bench/out/api.json``.

    .venv/bin/python bench/api.py                      # 30 s at 500 req/s, SQLite and PostgreSQL
    .venv/bin/python bench/api.py --backends sqlite --seconds 5 --creators 2000
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shopstar.accounts.models import Role
from shopstar.accounts.tokens import issue_token
from shopstar.accounts.users import NewUser, create_user, program_org
from shopstar.catalog.sync import sync_from_tables
from shopstar.contract import ENTITIES
from shopstar.db import make_engine, make_sessionmaker, normalise_url, upgrade

POSTGRES = os.environ.get(
    "SHOPSTAR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
OUT = Path(__file__).parent / "out" / "api.json"


def catalog(creators: int, seed: int = 7) -> dict[str, pa.Table]:
    """A synthetic catalog: ``creators`` creators, 1 agency per 400, 1 shop per 40, 10 products
    per shop."""
    rng = random.Random(seed)
    ts = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    n_agencies, n_shops = max(1, creators // 400), max(1, creators // 40)
    categories = ["beauty", "fashion", "home", "electronics", "food", "sports"]

    def table(entity: str, rows: list[dict[str, object]]) -> pa.Table:
        return pa.Table.from_pylist(rows, schema=ENTITIES[entity].schema)

    return {
        "agencies": table(
            "agencies", [{"agency_id": f"a{i}", "name": f"Agency {i}"} for i in range(n_agencies)]
        ),
        "shops": table(
            "shops",
            [
                {
                    "shop_id": f"s{i}",
                    "name": f"Shop {i}",
                    "region": "US",
                    "size": "smb",
                    "joined_at": ts,
                }
                for i in range(n_shops)
            ],
        ),
        "products": table(
            "products",
            [
                {
                    "product_id": f"p{i}",
                    "shop_id": f"s{i // 10}",
                    "title": f"Product {i}",
                    "category": rng.choice(categories),
                    "subcategory": None,
                    "price": Decimal(rng.randint(100, 99_999)) / 100,
                    "currency": "USD",
                    "commission_rate": Decimal("0.10"),
                    "listed_at": ts,
                }
                for i in range(n_shops * 10)
            ],
        ),
        "creators": table(
            "creators",
            [
                {
                    "creator_id": f"c{i}",
                    "handle": f"@creator{i}",
                    "region": "US",
                    "followers": int(rng.lognormvariate(8, 2)),
                    "joined_at": ts,
                    "agency_id": f"a{rng.randrange(n_agencies)}" if rng.random() < 0.3 else None,
                }
                for i in range(creators)
            ],
        ),
    }


def prepare(url: str, creators: int) -> str:
    """Migrate ``url``, load the catalog and return a program admin's read token."""
    upgrade(url)
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine).begin() as session:
            sync_from_tables(session, catalog(creators))
            user = create_user(
                session,
                NewUser(
                    "bench@example.com", "Bench", "bench-password", program_org(session), Role.ADMIN
                ),
                actor="bench",
            )
            session.flush()
            issued = issue_token(
                session, user, name="bench", scopes=frozenset({"read"}), actor="bench"
            )
            secret: str = issued.secret
            return secret
    finally:
        engine.dispose()


@contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    """A fresh database URL for ``backend``, dropped afterwards (PostgreSQL)."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    server = make_url(normalise_url(POSTGRES))
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = f"shopstar_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def free_port() -> int:
    """A free loopback TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def server(url: str, workdir: Path, workers: int) -> Iterator[int]:
    """``shopstar serve`` on a free port; yields the port once /healthz answers."""
    port = free_port()
    env = {
        **os.environ,
        "SHOPSTAR_HOME": str(workdir),
        "SHOPSTAR_DATABASE_URL": url,
        "SHOPSTAR_SECRET_KEY": "bench-secret",
    }
    cmd = [
        sys.executable,
        "-m",
        "shopstar",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    process = subprocess.Popen(cmd, env=env, start_new_session=True)
    try:
        for _ in range(600):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("server did not start")
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the supervisor and its workers
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, token: str
) -> int:
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(
        int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length")
    )
    await reader.readexactly(length)
    return status


async def drive(
    port: int, token: str, paths: list[str], rate: float, seconds: float, connections: int
) -> list[tuple[str, float, float, int]]:
    """Open-loop load: request i is due at start + i/rate; returns, per request, its kind,
    latency and completion time (s since start) and HTTP status."""
    queue: asyncio.Queue[tuple[float, str] | None] = asyncio.Queue()
    results: list[tuple[str, float, float, int]] = []

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while (item := await queue.get()) is not None:
                due, path = item
                status = await asyncio.wait_for(_request(reader, writer, path, token), 60)
                kind = "detail" if path.count("/") == 4 and "?" not in path else "list"
                kind = "healthz" if path == "/healthz" else kind
                done = time.perf_counter()
                results.append((kind, done - due, done - start, status))
        finally:
            writer.close()

    tasks = [asyncio.create_task(worker()) for _ in range(connections)]
    start = time.perf_counter()
    total = int(rate * seconds)
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((due, paths[i % len(paths)]))
    for _ in tasks:
        queue.put_nowait(None)
    await asyncio.gather(*tasks)
    return results


def summarise(results: list[tuple[str, float, float, int]]) -> dict[str, dict[str, float]]:
    """Completed req/s (requests over the time until the last one finished), p50, p99, max (ms)
    and errors, per kind of request and overall."""
    report = {}
    kinds = sorted({r[0] for r in results})
    end = max(r[2] for r in results)
    for kind in [*kinds, "all"] if len(kinds) > 1 else kinds:
        rows = [(lat, st) for k, lat, _, st in results if kind in ("all", k)]
        lat = sorted(x for x, _ in rows)
        cuts = statistics.quantiles(lat, n=100, method="inclusive")
        report[kind] = {
            "requests": len(rows),
            "req_per_s": round(len(rows) / end, 1),
            "p50_ms": round(cuts[49] * 1000, 2),
            "p99_ms": round(cuts[98] * 1000, 2),
            "max_ms": round(lat[-1] * 1000, 2),
            "errors": sum(1 for _, st in rows if st != 200),
        }
    return report


def bench(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run the baseline and the API load against one backend."""
    with tempfile.TemporaryDirectory() as tmp, database(backend, Path(tmp)) as url:
        token = prepare(url, args.creators)
        rng = random.Random(1)
        paths = []
        for i in range(2000):
            paths.append(
                "/api/v1/creators?limit=20"
                if i % 2 == 0
                else f"/api/v1/creators/c{rng.randrange(args.creators)}"
            )
        with server(url, Path(tmp), args.workers) as port:
            asyncio.run(drive(port, token, paths, args.rate, 3, args.connections))  # warm-up
            base = asyncio.run(
                drive(port, token, ["/healthz"], args.rate, args.baseline, args.connections)
            )
            load = asyncio.run(drive(port, token, paths, args.rate, args.seconds, args.connections))
    api, baseline = summarise(load), summarise(base)
    api_p99, base_p99 = api["all"]["p99_ms"], baseline["healthz"]["p99_ms"]
    return {"api": api, "baseline": baseline, "p99_ratio": round(api_p99 / base_p99, 2)}


def main() -> None:
    """Parse arguments, run each backend, print and save the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--baseline", type=float, default=10.0, help="Seconds of /healthz.")
    parser.add_argument("--rate", type=float, default=500.0, help="Requests per second.")
    parser.add_argument("--creators", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes.")
    parser.add_argument("--connections", type=int, default=32, help="Keep-alive connections.")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    results: dict[str, Any] = {
        "rate": args.rate,
        "seconds": args.seconds,
        "creators": args.creators,
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "load_before": round(load, 2),
    }
    backends = {b: bench(b, args) for b in args.backends.split(",")}
    results["backends"] = backends
    results["load_after"] = round(os.getloadavg()[0], 2)
    print(f"load average (1 min) before {results['load_before']}, after {results['load_after']}")
    for backend, res in backends.items():
        print(f"\n{backend} (target {args.rate:.0f} req/s, {args.seconds:.0f} s)")
        print(f"{'endpoint':<10}{'done/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}")
        for kind, row in [*res["api"].items(), *res["baseline"].items()]:
            print(
                f"{kind:<10}{row['req_per_s']:>9}{row['p50_ms']:>9}{row['p99_ms']:>9}"
                f"{row['max_ms']:>9}{row['errors']:>8}"
            )
        print(f"p99 API / p99 baseline = {res['p99_ratio']}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
