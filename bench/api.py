"""API load benchmark: ``shopstar serve`` (uvicorn) on loopback under a fixed request rate.

For each backend (SQLite file, PostgreSQL throwaway database) it builds a catalog, issues a
program-admin token, starts ``python -m shopstar serve`` (``--workers``, default 1: on a 2-core
machine that also runs PostgreSQL and the generator, a second worker costs more CPU per request
than it adds; docs/performance.md), then drives an open-loop load: requests are scheduled at
``--rate`` per second for ``--seconds`` over ``--connections`` keep-alive connections,
alternating the creators list (``/api/v1/creators?limit=20``, with its total count) and a random
creator's detail. Latency counts from the scheduled send time, so a server that falls behind
shows it; a request still unanswered when the run ends counts as errored with the time it had
waited. A baseline (``/healthz``: no auth, no DB) runs at the same rate first, and the ratio of
p99s is printed. Beside each run: the CPU seconds of the load generator, of the server's
processes and of the PostgreSQL backends serving the bench database, the share of the whole
machine that was busy (other jobs included) and the load average. Results also go to
``bench/out/api.json``.

The load generator is ``wrk`` (C; ``apt-get install -y wrk``) driven by a Lua script that gives
connection ``c`` the requests due at ``(c + k * connections) / rate`` (one connection per wrk
thread) and records each latency from its due time. Without ``wrk`` the benchmark says so and
falls back to a Python (asyncio) generator in its own process (more CPU, same method).

    .venv/bin/python bench/api.py                      # 30 s at 500 req/s, SQLite and PostgreSQL
    .venv/bin/python bench/api.py --backends sqlite --seconds 5 --creators 2000
    .venv/bin/python bench/api.py --generator python   # the asyncio generator instead of wrk
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import resource
import shutil
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
    """Migrate ``url``, load the catalog and return a program admin's read token (PostgreSQL:
    then ``VACUUM ANALYZE``, as autovacuum would soon after the load)."""
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
        if engine.dialect.name == "postgresql":
            # what autovacuum does within a minute of a bulk load: statistics and the visibility
            # map (so a count can read an index only); the runs measure that steady state
            with engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM ANALYZE"
                )
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
def server(url: str, workdir: Path, workers: int) -> Iterator[tuple[int, int]]:
    """``shopstar serve`` on a free port; yields the port and the server's pid (its process
    group) once /healthz answers."""
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
        yield port, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the supervisor and its workers
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


WRK_SCRIPT = r"""
-- Open-loop pacing for wrk, one connection per thread: connection `id` of `n` sends request k
-- at t0 + (id + k * n) / rate; its latency counts from that due time (or from the send, if the
-- millisecond timer sent it early), so a server that falls behind shows it.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } shopstar_timespec;
int clock_gettime(int clock, shopstar_timespec *tp);
]]
local ts = ffi.new("shopstar_timespec")
local function now()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local rate = tonumber(os.getenv("BENCH_RATE"))
local total = tonumber(os.getenv("BENCH_TOTAL"))
local threads, started = {}, nil

function setup(thread)
  started = started or now() + 0.5
  thread:set("id", #threads)
  thread:set("t0", started)
  table.insert(threads, thread)
end

local n, requests, k, due, sent = nil, {}, 0, 0, 0
rec = {}

function init(args)
  n = tonumber(os.getenv("BENCH_CONNECTIONS"))
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
  for path in io.lines(os.getenv("BENCH_PATHS")) do
    table.insert(requests, wrk.format("GET", path))
  end
end

function delay()
  local i = id + k * n
  if i >= total then return 3600000 end
  local wait = (t0 + i / rate - now()) * 1000
  return wait > 0 and math.floor(wait) or 0
end

-- k advances on the response (wrk calls request() once more to check the script)
function request()
  local i = id + k * n
  due = t0 + i / rate
  sent = now()
  return requests[i % #requests + 1]
end

function response(status, headers, body)
  local done = now()
  local lat = done - math.min(due, sent)
  table.insert(rec, string.format("%d %.6f %.6f %d", id + k * n, lat, done - t0, status))
  k = k + 1
  if id + k * n >= total then -- this connection's schedule is done: tell the driver
    local finished = io.open(os.getenv("BENCH_FINISHED"), "a")
    finished:write(id, "\n")
    finished:close()
  end
end

function done(summary, latency, requests)
  local out = io.open(os.getenv("BENCH_OUT"), "w")
  for _, thread in ipairs(threads) do
    for _, line in ipairs(thread:get("rec")) do out:write(line, "\n") end
  end
  local e = summary.errors
  out:write(string.format("# errors connect=%d read=%d write=%d timeout=%d\n",
    e.connect, e.read, e.write, e.timeout))
  out:close()
end
"""


def kind_of(path: str) -> str:
    """``healthz``, ``list`` or ``detail``."""
    if path == "/healthz":
        return "healthz"
    return "detail" if path.count("/") == 4 and "?" not in path else "list"


def drive_wrk(
    port: int, token: str, paths: list[str], rate: float, seconds: float, connections: int
) -> tuple[list[tuple[str, float, float, int]], float]:
    """Open-loop load with wrk (one connection per thread); per request its kind, latency,
    completion time (s since the schedule's start) and HTTP status (0: no answer by the end of
    the run), and wrk's CPU seconds."""
    total = int(rate * seconds)
    drain = 60.0  # seconds after the last due time for the last answers to arrive
    with tempfile.TemporaryDirectory() as tmp:
        script, path_file, out = Path(tmp, "load.lua"), Path(tmp, "paths"), Path(tmp, "out")
        finished = Path(tmp, "finished")
        script.write_text(WRK_SCRIPT)
        path_file.write_text("".join(p + "\n" for p in paths))
        env = {
            **os.environ,
            "BENCH_RATE": str(rate),
            "BENCH_TOTAL": str(total),
            "BENCH_CONNECTIONS": str(connections),
            "BENCH_TOKEN": token,
            "BENCH_PATHS": str(path_file),
            "BENCH_OUT": str(out),
            "BENCH_FINISHED": str(finished),
        }
        duration = max(1, round(seconds + drain))
        cmd = ["wrk", "-t", str(connections), "-c", str(connections), "-d", f"{duration}s"]
        cmd += ["-T", "60s", "-s", str(script), f"http://127.0.0.1:{port}/"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
        while process.poll() is None:  # stop wrk once every connection has its last answer
            if finished.exists() and len(finished.read_text().split()) >= connections:
                process.send_signal(signal.SIGINT)  # wrk stops and runs done()
                break
            time.sleep(0.05)
        if process.wait() != 0:
            raise RuntimeError(f"wrk exited with {process.returncode}")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        lines = out.read_text().splitlines()
    socket_errors = next(line for line in lines if line.startswith("#"))
    # read errors also count connections the server closed after their last request (uvicorn's
    # 5 s keep-alive timeout while others finish): wrk reconnects and sends nothing more
    if any(not part.endswith("=0") for part in socket_errors.split()[2:]):
        print(f"wrk: {socket_errors[2:]}", file=sys.stderr)
    answered: dict[int, tuple[float, float, int]] = {}
    for line in lines:
        if not line.startswith("#"):
            index, lat, done, status = line.split()
            answered[int(index)] = (float(lat), float(done), int(status))
    end = seconds + drain
    results = []
    for index in range(total):
        lat, done, status = answered.get(index, (end - index / rate, end, 0))
        results.append((kind_of(paths[index % len(paths)]), lat, done, status))
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return results, cpu


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


async def _drive_python(
    port: int, token: str, paths: list[str], rate: float, seconds: float, connections: int
) -> list[tuple[str, float, float, int]]:
    queue: asyncio.Queue[tuple[float, str] | None] = asyncio.Queue()
    results: list[tuple[str, float, float, int]] = []

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while (item := await queue.get()) is not None:
                due, path = item
                status = await asyncio.wait_for(_request(reader, writer, path, token), 60)
                done = time.perf_counter()
                results.append((kind_of(path), done - due, done - start, status))
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


def drive_python(
    port: int, token: str, paths: list[str], rate: float, seconds: float, connections: int
) -> tuple[list[tuple[str, float, float, int]], float]:
    """Open-loop load from this process (asyncio): request i is due at start + i/rate and goes
    to the next free connection; per request its kind, latency, completion time and status, and
    the CPU seconds this process spent."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    results = asyncio.run(_drive_python(port, token, paths, rate, seconds, connections))
    after = resource.getrusage(resource.RUSAGE_SELF)
    return results, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def _proc_cpu(process_group: int, database: str | None) -> tuple[float, float]:
    """CPU seconds of the live processes in ``process_group`` (the server), and of the
    PostgreSQL backends connected to ``database`` (their title names it)."""
    tick = os.sysconf("SC_CLK_TCK")
    server = backends = 0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            text = (proc / "stat").read_text()
            fields = text[text.rindex(")") + 2 :].split()
            ticks = int(fields[11]) + int(fields[12])  # utime, stime
            if int(fields[2]) == process_group:
                server += ticks
            elif database and f" {database} ".encode() in (proc / "cmdline").read_bytes():
                backends += ticks
        except (OSError, ValueError):
            continue
    return server / tick, backends / tick


def _machine_cpu() -> tuple[float, float]:
    """Busy and total CPU seconds of the machine since boot (all cores)."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / tick, sum(values[:8]) / tick


def run_load(
    generator: str, server_pid: int, database: str | None, *args: Any
) -> tuple[list[tuple[str, float, float, int]], dict[str, float]]:
    """One load run, with the CPU seconds of the generator, the server's processes, the
    PostgreSQL backends of ``database`` and the whole machine (busy share of all cores)."""
    drive = drive_wrk if generator == "wrk" else drive_python
    (server0, pg0), (busy0, all0) = _proc_cpu(server_pid, database), _machine_cpu()
    wall0 = time.perf_counter()
    results, generator_cpu = drive(*args)
    wall = time.perf_counter() - wall0
    (server1, pg1), (busy1, all1) = _proc_cpu(server_pid, database), _machine_cpu()
    cpu = {
        "wall_s": round(wall, 1),
        "generator_cpu_s": round(generator_cpu, 1),
        "server_cpu_s": round(server1 - server0, 1),
        "postgres_cpu_s": round(pg1 - pg0, 1),
        "machine_busy_pct": round(100 * (busy1 - busy0) / (all1 - all0), 1),
    }
    return results, cpu


def summarise(results: list[tuple[str, float, float, int]]) -> dict[str, dict[str, float]]:
    """Completed req/s (answered requests over the time until the last answer), p50, p99, max
    (ms) and errors (non-200 or unanswered), per kind of request and overall."""
    report = {}
    kinds = sorted({r[0] for r in results})
    end = max(r[2] for r in results if r[3] != 0)
    for kind in [*kinds, "all"] if len(kinds) > 1 else kinds:
        rows = [(lat, st) for k, lat, _, st in results if kind in ("all", k)]
        lat = sorted(x for x, _ in rows)
        cuts = statistics.quantiles(lat, n=100, method="inclusive")
        report[kind] = {
            "requests": len(rows),
            "req_per_s": round(sum(1 for _, st in rows if st != 0) / end, 1),
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
        load_args = (args.rate, args.seconds, args.connections)
        db_name = make_url(url).database if backend == "postgresql" else None
        with server(url, Path(tmp), args.workers) as (port, pid):
            run_load(
                args.generator, pid, db_name, port, token, paths, args.rate, 3, args.connections
            )
            base, base_cpu = run_load(
                args.generator,
                pid,
                db_name,
                port,
                token,
                ["/healthz"],
                args.rate,
                args.baseline,
                args.connections,
            )
            load_before = os.getloadavg()[0]
            load, load_cpu = run_load(args.generator, pid, db_name, port, token, paths, *load_args)
    api, baseline = summarise(load), summarise(base)
    api_p99, base_p99 = api["all"]["p99_ms"], baseline["healthz"]["p99_ms"]
    return {
        "api": api,
        "baseline": baseline,
        "p99_ratio": round(api_p99 / base_p99, 2),
        "cpu": load_cpu,
        "baseline_cpu": base_cpu,
        "load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def choose_generator(wanted: str | None) -> str:
    """``wrk`` when it is installed (or asked for), else the Python generator with a warning."""
    if wanted == "python":
        return "python"
    if shutil.which("wrk"):
        return "wrk"
    if wanted == "wrk":
        sys.exit("wrk is not installed: apt-get install -y wrk (or pass --generator python)")
    print(
        "warning: wrk is not installed (apt-get install -y wrk); using the Python load "
        "generator, which takes CPU from the server on a small machine",
        file=sys.stderr,
    )
    return "python"


def main() -> None:
    """Parse arguments, run each backend, print and save the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--baseline", type=float, default=10.0, help="Seconds of /healthz.")
    parser.add_argument("--rate", type=float, default=500.0, help="Requests per second.")
    parser.add_argument("--creators", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes.")
    parser.add_argument("--connections", type=int, default=32, help="Keep-alive connections.")
    parser.add_argument(
        "--generator", choices=["wrk", "python"], help="Load generator (default: wrk if installed)."
    )
    args = parser.parse_args()
    args.generator = choose_generator(args.generator)
    results: dict[str, Any] = {
        "rate": args.rate,
        "seconds": args.seconds,
        "creators": args.creators,
        "workers": args.workers,
        "connections": args.connections,
        "generator": args.generator,
        "cpus": os.cpu_count(),
    }
    backends = {b: bench(b, args) for b in args.backends.split(",")}
    results["backends"] = backends
    for backend, res in backends.items():
        cpu = res["cpu"]
        print(
            f"\n{backend}: {args.rate:.0f} req/s offered for {args.seconds:.0f} s by "
            f"{args.generator}, {args.workers} workers, load average {res['load_avg'][0]} -> "
            f"{res['load_avg'][1]}"
        )
        print(f"{'endpoint':<10}{'done/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}")
        for kind, row in [*res["api"].items(), *res["baseline"].items()]:
            print(
                f"{kind:<10}{row['req_per_s']:>9}{row['p50_ms']:>9}{row['p99_ms']:>9}"
                f"{row['max_ms']:>9}{row['errors']:>8}"
            )
        print(f"p99 API / p99 baseline = {res['p99_ratio']}")
        print(
            f"CPU over {cpu['wall_s']} s: generator {cpu['generator_cpu_s']} s, server "
            f"{cpu['server_cpu_s']} s, PostgreSQL backends {cpu['postgres_cpu_s']} s, machine "
            f"{cpu['machine_busy_pct']}% busy"
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
