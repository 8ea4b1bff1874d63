"""Latency of the Stars, Rising and Trends pages on an app DB holding a published run.

    .venv/bin/python bench/star_pages.py DATABASE_URL [--times N]

The database must hold a complete score run and the catalog (`shopstar db sync`). The demo logins
(`shopstar.accounts.demo.seed_demo_users`: program admin, manager, agency, shop, creator) are
created or reset in it; each logs in to a fresh in-process app (httpx ASGI transport, as the
tests do) and requests each page ``--times`` times; the median wall time is printed per page.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from shopstar.accounts.demo import seed_demo_users
from shopstar.config import get_settings
from shopstar.db import make_engine, make_sessionmaker
from shopstar.web import create_app

PATHS = ("/stars", "/stars?page=40", "/rising", "/trends")


async def _measure(url: str, email: str, password: str, times: int, home: Path) -> None:
    settings = get_settings(database_url=url, home=home, secret_key="bench-secret-key")
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        form = (await client.get("/login")).text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form)
        assert csrf, form
        data = {"email": email, "password": password, "csrf": csrf.group(1)}
        assert (await client.post("/login", data=data)).status_code == 303
        for path in PATHS:
            seconds = []
            for _ in range(times):
                start = time.perf_counter()
                response = await client.get(path)
                seconds.append(time.perf_counter() - start)
            rows = len(re.findall(r'data-testid="row-', response.text))
            median = statistics.median(seconds) * 1000
            print(f"  {path:16} {response.status_code} rows={rows:3} median={median:7.1f} ms")
    app.state.engine.dispose()
    app.state.read_engine.dispose()


def main() -> None:
    """Parse the arguments and time every page for every demo login."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--times", type=int, default=5)
    args = parser.parse_args()
    engine = make_engine(args.database_url)
    with make_sessionmaker(engine).begin() as session:
        logins = seed_demo_users(session)
    engine.dispose()
    with tempfile.TemporaryDirectory() as home:
        for demo in logins:
            print(demo.role)
            asyncio.run(
                _measure(args.database_url, demo.email, demo.password, args.times, Path(home))
            )


if __name__ == "__main__":
    main()
