"""gunicorn settings: `make serve` and the tests pass
`-c python:decision_aid.serving.gunicorn_conf`.

- Forwarded headers are never trusted by gunicorn itself; with TRUSTED_PROXY_HOPS > 0 the app's
  ProxyFix reads them from the proxies it was told about.
- The worker count reaches the app as WEB_CONCURRENCY, so a production app with more than one
  worker refuses to start on memory:// rate-limit storage (each worker would count alone).
- A worker is replaced after about 20,000 requests (a guard against slow leaks). At 1,000, as
  before, a busy 2-core host replaced a worker every half minute, each time paying its start-up
  and losing its caches while patients waited.
- Each worker starts its PDF renderer process as it boots (WeasyPrint imported there, at a lower
  CPU priority), so the first PDF does not pay for it while other patients wait, and compiles
  its templates, so the first patient on each page does not either.
"""

import os
from typing import Any

forwarded_allow_ips = ""
max_requests = 20000
max_requests_jitter = 2000


def on_starting(server: Any) -> None:
    os.environ["WEB_CONCURRENCY"] = str(server.cfg.workers)


def post_worker_init(worker: Any) -> None:
    from decision_aid.serving import pdf

    pdf.warm_up(threads=worker.cfg.threads)
    compile_templates(worker.wsgi)


def compile_templates(app: Any) -> int:
    """Compile every page template before the worker takes its first request (about 1 s of
    CPU for all of them), instead of inside the first request for each page."""
    env = getattr(app, "jinja_env", None)
    if env is None:
        return 0
    names = env.list_templates(filter_func=lambda name: name.endswith(".html"))
    for name in names:
        env.get_template(name)
    return len(names)
