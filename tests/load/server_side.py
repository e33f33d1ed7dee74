"""What the load run looked like from the server's side: time spent inside the app per page
(gunicorn's access log, from the moment a thread takes the request), next to what locust saw,
and where the machine's CPU went (server, locust, anything else running on the host).

A page whose locust p99 is far above its in-app p99 waited before a thread took it (the
machine or the worker was saturated); one whose in-app p99 is high was slow inside the app
(CPU, the GIL shared with the worker's other threads, a lock, the database).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

# method, path, status, milliseconds inside the app.
ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(M)s"
PAGE_URL = re.compile(r"^/q/(?P<page>[a-z0-9_]+)(?:/(?P<index>\d+))?$")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def page_name(method: str, path: str) -> str:
    """The locustfile's names: one per page, loop items sharing theirs."""
    match = PAGE_URL.match(path)
    if match:
        path = f"/q/{match['page']}" + ("/[i]" if match["index"] is not None else "")
    return f"{method} {path}"


def percentile(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def in_app_times(access_log: Path) -> dict[str, list[int]]:
    times: dict[str, list[int]] = {}
    for line in access_log.read_text(errors="replace").splitlines():
        parts = line.split()
        if len(parts) != 4 or not parts[3].isdigit():
            continue
        method, path, _status, ms = parts
        times.setdefault(page_name(method, path), []).append(int(ms))
    return times


def print_in_app(access_log: Path) -> None:
    times = in_app_times(access_log)
    if not times:
        print("no access log lines: in-app times unknown")
        return
    print("\nin the app (ms, gunicorn's access log: from a thread taking the request to its end)")
    print(f"{'page':40} {'n':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7}")
    for name in sorted(times, key=lambda n: (n.split(" ", 1)[1], n)):
        values = times[name]
        print(f"{name:40} {len(values):6} {percentile(values, 0.5):6} "
              f"{percentile(values, 0.95):6} {percentile(values, 0.99):6} {max(values):7}")


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def descendants(root: int) -> list[int]:
    """root and every process below it (the gunicorn master, workers, PDF renderers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        fields = _stat(int(entry.name))
        if fields is not None:
            parents[int(entry.name)] = int(fields[1])
    found, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in found:
                found.add(pid)
                frontier.append(pid)
    return sorted(found)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (processes that ended are not counted)."""
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


@dataclass(frozen=True)
class MachineClock:
    busy: float
    total: float

    @classmethod
    def now(cls) -> MachineClock:
        ticks = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = ticks[3] + ticks[4]  # idle + iowait
        return cls(busy=(sum(ticks) - idle) / CLOCK_TICKS, total=sum(ticks) / CLOCK_TICKS)


def print_cpu_shares(start: MachineClock, end: MachineClock, server: float,
                     locust: float) -> None:
    """Shares of the whole machine (all cores) over the run."""
    span = max(end.total - start.total, 1e-9)
    busy = end.busy - start.busy
    others = max(busy - server - locust, 0.0)
    print(f"\ncpu over the run ({os.cpu_count()} cores): machine busy {100 * busy / span:.0f}%, "
          f"server (gunicorn + PDF renderers) {100 * server / span:.0f}%, "
          f"locust {100 * locust / span:.0f}%, other processes on the host "
          f"{100 * others / span:.0f}%")
