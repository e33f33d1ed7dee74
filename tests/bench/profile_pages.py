"""Where a request's time goes: the four measured requests through the Flask test client.

For the question page GET, an answer POST, the summary GET (seen before, and as a first view
with nothing kept for the record: summary_1st) and the clinician's open-by-code POST, and for a
bare Flask hello page and, for scale, a plain Flask page with nothing kept (naive_page: session,
CSRF, one ORM row, nine radio questions): the median time per request over --n runs, each as a
ratio to bare Flask measured in the same process (the in-process twin of `make bench`), then the
functions with the most time under cProfile.

    python tests/bench/profile_pages.py [--n 200] [--top 25] [--only question,summary]

CSRF and rate limits are off (the test client carries no tokens); everything else is the app as
served. Runs on a temporary SQLite database; writes nothing into the checkout.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

Request = Callable[[], Any]


def hello_client() -> Any:
    from flask import Flask

    app = Flask("hello")
    body = ("<!doctype html><html><head><title>Hello</title></head><body>"
            + "<p>Hello, world.</p>" * 100 + "</body></html>")
    app.add_url_rule("/", "hello", lambda: body)
    return app.test_client()


NAIVE_PAGE = """<!doctype html><html><head><title>Question</title></head><body><main>
<form method="post"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
{% for q in questions %}<fieldset><legend>{{ q }}</legend>
{% for value, label in choices %}<input type="radio" name="{{ q }}" value="{{ value }}"
{% if answers.get(q) == value %}checked{% endif %}><label>{{ label }}</label>{% endfor %}
</fieldset>{% endfor %}<button>Continue</button></form></main></body></html>"""


def naive_client(workdir: Path) -> Any:
    """What a plain Flask page costs, for scale: a signed-cookie session, Flask-WTF CSRF, one
    SQLAlchemy ORM row by primary key and a Jinja form of nine radio questions, no caching."""
    from flask import Flask, render_template, session
    from flask_wtf.csrf import CSRFProtect
    from sqlalchemy import JSON, String, create_engine
    from sqlalchemy.orm import DeclarativeBase, Session, mapped_column

    class Base(DeclarativeBase):
        pass

    class Draft(Base):
        __tablename__ = "draft"
        id = mapped_column(String(64), primary_key=True)
        answers = mapped_column(JSON)

    engine = create_engine(f"sqlite:///{workdir / 'naive.sqlite3'}")
    Base.metadata.create_all(engine)
    with Session(engine) as db:
        db.add(Draft(id="d1", answers={"q1": "1"}))
        db.commit()
    app = Flask("naive")
    app.config["SECRET_KEY"] = os.urandom(16).hex()
    CSRFProtect(app)
    questions = [f"q{i}" for i in range(1, 10)]
    choices = [("0", "Not at all"), ("1", "Several days"), ("2", "More than half the days"),
               ("3", "Nearly every day")]

    # Compiled once, as render_template does for a template file (render_template_string
    # would compile it again on every request).
    template = app.jinja_env.from_string(NAIVE_PAGE)

    def page() -> str:
        session["draft"] = "d1"
        with Session(engine) as db:
            draft = db.get(Draft, session["draft"])
            answers = draft.answers if draft is not None else {}
        return render_template(template, questions=questions, choices=choices,
                               answers=answers)

    app.add_url_rule("/", "page", page)
    return app.test_client()


def build_requests(workdir: Path) -> dict[str, Request]:
    """An app on a migrated temp database, a draft part-way, a saved summary, a clinician."""
    from cryptography.fernet import Fernet

    from decision_aid import create_app
    from decision_aid.storage.migrate import upgrade
    from tests.support.auth import make_clinician, sign_in
    from tests.support.journey import PAGE_URL, finish, form_for, page_values, persona, walk

    url = f"sqlite:///{workdir / 'profile.sqlite3'}"
    upgrade(url)
    app = create_app({
        "TESTING": False, "APP_ENV": "bench", "SECRET_KEY": os.urandom(32).hex(),
        "CODE_PEPPER": os.urandom(32).hex(), "DATA_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_PROFILE": "fast",
    }, instance_path=str(workdir / "instance"))
    q = app.extensions["content"].questionnaire
    who = persona()

    drafter = app.test_client()
    first = drafter.post("/start").headers["Location"]
    match = PAGE_URL.match(first)
    assert match, first
    page = q.page(match["page"])
    answer = form_for(page, page_values(page, who, None))
    field = next(k for k, v in answer.items() if isinstance(v, str))
    choices = [c.value for c in q.field(field).choices]
    values = [answer[field], *[c for c in choices if c != answer[field]][:1]]
    turn = [0]

    def post_answer() -> Any:
        turn[0] += 1
        data = dict(answer) | {field: values[turn[0] % len(values)]}
        return drafter.post(first, data=data)

    saver = app.test_client()
    walk(saver, app, who)
    finish(saver)
    assert saver.post("/summary/save").status_code == 303
    code_page = saver.get("/saved").get_data(as_text=True)
    code = re.search(r'id="resume-code">([0-9A-Z-]+)<', code_page)
    clinician = app.test_client()
    make_clinician(app)
    sign_in(clinician)
    from decision_aid.patient.records import forget_summary
    from tests.support.journey import current_record

    saved_id = current_record(saver, app).id

    def first_summary_view() -> Any:
        # As the first view of a summary: its typed summary and rendered body not kept yet.
        with app.app_context():
            forget_summary(saved_id)
        return saver.get("/summary")

    requests: dict[str, Request] = {
        "question": lambda: drafter.get(first),
        "answer_post": post_answer,
        "summary": lambda: saver.get("/summary"),
        "summary_1st": first_summary_view,
    }
    if code:
        requests["open_code"] = lambda: clinician.post(
            "/clinician/open", data={"code": code.group(1)})
    # The floor under every page: the health check does one SELECT 1 and no page.
    requests["healthz"] = lambda: drafter.get("/healthz")
    for name, request in requests.items():
        status = request().status_code
        if status not in (200, 303):
            raise RuntimeError(f"{name} gave {status}")
    return requests


def median_ms(request: Request, n: int) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        request()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def profile(request: Request, n: int, top: int) -> str:
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        request()
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(r"decision_aid", top)
    return "\n".join(line for line in out.getvalue().splitlines()
                     if line.strip() and not line.startswith(("   Ordered", "   List reduced")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="requests per measure")
    parser.add_argument("--top", type=int, default=25, help="functions shown per profile")
    parser.add_argument("--only", default="", help="comma-separated measures to profile")
    parser.add_argument("--no-profile", action="store_true", help="timings and ratios only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="da-profile-") as tmp:
        os.environ.setdefault("INSTANCE_PATH", str(Path(tmp) / "instance"))
        requests = build_requests(Path(tmp))
        hello = hello_client()
        naive = naive_client(Path(tmp))
        requests["naive_page"] = lambda: naive.get("/")
        for request in [*requests.values(), lambda: hello.get("/")]:
            median_ms(request, 20)  # warm caches, templates, the connection pool
        print(f"in-process, Flask test client, median of {args.n}; ratio = bare Flask time / "
              "page time (higher is faster)")
        for name, request in requests.items():
            base = median_ms(lambda: hello.get("/"), args.n)
            page = median_ms(request, args.n)
            print(f"  {name:12} {page:7.2f} ms   bare {base:5.2f} ms   {base / page:5.2f}x")
        if args.no_profile:
            return 0
        wanted = {w for w in args.only.split(",") if w} or set(requests)
        for name in requests:
            if name in wanted:
                print(f"\n=== {name}: cProfile over {args.n} requests ===")
                print(profile(requests[name], args.n, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
