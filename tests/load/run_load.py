"""`make load`: 100 simulated patients complete whole journeys for 2 minutes against a loopback
gunicorn (gthread workers = cores, as `make serve`) on a migrated temporary SQLite database,
or on PostgreSQL when LOAD_DATABASE_URL is set (in a private `load` schema there).

Exit status: locust's (non-zero on any failed save, 5xx or failed request), or 2 when the
harness itself fails. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.harness import BIN, ROOT, HarnessError, Server, app_env, migrate
from tests.load import server_side


def drop_schema(url: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1),
                         autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS load CASCADE")


def postgres_load_url(url: str) -> str:
    import psycopg

    parts = urlsplit(url)
    query = "options=-csearch_path%3Dload"
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1),
                         autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS load CASCADE")
        conn.execute("CREATE SCHEMA load")
    return urlunsplit((parts.scheme, parts.netloc, parts.path,
                       f"{parts.query}&{query}" if parts.query else query, ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--spawn-rate", type=int, default=20)
    parser.add_argument("--time", default="2m")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="da-load-"))
    pg = os.environ.get("LOAD_DATABASE_URL", "")
    url = postgres_load_url(pg) if pg.startswith("postgres") else \
        f"sqlite:///{workdir / 'load.sqlite3'}"
    server: Server | None = None
    rc = 2
    try:
        migrate(url)
        # As `make serve`: its gunicorn settings (renderer started at boot, worker lifetime);
        # the access log gives each request's time inside the app.
        access_log = workdir / "access.log"
        env = app_env(url, GUNICORN_CMD_ARGS=(
            "-c python:decision_aid.serving.gunicorn_conf "
            f"--access-logfile {access_log} "
            f"--access-logformat '{server_side.ACCESS_FORMAT}'"))
        server = Server("app-load", "decision_aid.wsgi:app", env, args.workers, workdir).start()
        print(f"gunicorn gthread x{args.workers} on {server.base} ({url.split(':', 1)[0]}); "
              f"locust -u {args.users} -r {args.spawn_rate} -t {args.time}", flush=True)
        assert server.proc is not None
        clock = server_side.MachineClock.now()
        served_before = server_side.cpu_seconds(server_side.descendants(server.proc.pid))
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [str(BIN / "locust"), "-f", str(ROOT / "tests/load/locustfile.py"), "--headless",
             "-u", str(args.users), "-r", str(args.spawn_rate), "-t", args.time,
             "--host", server.base, "--only-summary", "--stop-timeout", "30"],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=3600, check=False)
        rc = done.returncode
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_side.print_cpu_shares(
            clock, server_side.MachineClock.now(),
            server_side.cpu_seconds(server_side.descendants(server.proc.pid)) - served_before,
            (children.ru_utime - children_before.ru_utime)
            + (children.ru_stime - children_before.ru_stime))
        server_side.print_in_app(access_log)
    except (HarnessError, subprocess.SubprocessError, OSError) as exc:
        print(f"load harness failed: {exc}", file=sys.stderr)
    finally:
        if server is not None:
            server.stop()
        if pg.startswith("postgres"):
            drop_schema(pg)
        if rc == 0:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"server log kept in {workdir}", file=sys.stderr)
    return rc


if __name__ == "__main__":
    sys.exit(main())
