"""gunicorn settings: `make serve` and the tests pass
`-c python:decision_aid.serving.gunicorn_conf`.

- Forwarded headers are never trusted by gunicorn itself; with TRUSTED_PROXY_HOPS > 0 the app's
  ProxyFix reads them from the proxies it was told about.
- The worker count reaches the app as WEB_CONCURRENCY, so a production app with more than one
  worker refuses to start on memory:// rate-limit storage (each worker would count alone).
"""

import os

forwarded_allow_ips = ""


def on_starting(server):  # type: ignore[no-untyped-def]
    os.environ["WEB_CONCURRENCY"] = str(server.cfg.workers)
