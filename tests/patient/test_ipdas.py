"""IPDAS items checked on the pages patients actually see (content checks are in tests/content)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime, timedelta

import time_machine
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import need
from tests.support.journey import ADEQUATE_UNSUCCESSFUL, current_record, finish, persona, walk


def summary_html(client: FlaskClient, app: Flask, **answers: object) -> str:
    walk(client, app, persona(**answers))
    return finish(client)


def section(html: str, option_id: str) -> str:
    """One option card of the summary (layer 2)."""
    start = html.index(f'id="option-{option_id}"')
    end = html.find('<section class="card"', start + 10)
    return html[start:end if end != -1 else None]


def details_page(client: FlaskClient, option_id: str) -> str:
    """Layer 3: the page with every field and figure of one option."""
    resp = client.get(f"/summary/options/{option_id}")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


CARD_ROWS = ["What it involves", "Visits", "How soon it may help", "Chance of benefit",
             "Main side effect", "Stopping because of side effects", "Symptoms coming back",
             "Cost", "How sure the evidence is"]


def test_q1(client: FlaskClient, app: Flask) -> None:
    html = client.get("/about").get_data(as_text=True)
    assert "About depression" in html
    for para in app.extensions["content"].meta.condition:
        assert para.replace("'", "&#39;") in html or para in html


def test_q2(client: FlaskClient, app: Flask) -> None:
    html = summary_html(client, app)
    decision = app.extensions["content"].meta.decision
    assert decision in html
    assert html.index(decision) < html.index('id="where-heading"') < html.index('class="card"')


def test_q3(client: FlaskClient, app: Flask) -> None:
    html = summary_html(client, app, medicines=ADEQUATE_UNSUCCESSFUL)
    content = app.extensions["content"]
    positions = [html.index(f'id="option-{o.id}"') for o in content.options]
    assert positions == sorted(positions) and len(positions) == 9
    assert content.options[0].id == "continue"
    for opt in content.options:
        assert opt.what_it_is.replace("'", "&#39;") in details_page(client, opt.id)


def test_q4(client: FlaskClient, app: Flask) -> None:
    html = summary_html(client, app)
    for opt in app.extensions["content"].options:
        assert "<dt>Chance of benefit</dt>" in section(html, opt.id)


def test_q5(client: FlaskClient, app: Flask) -> None:
    html = summary_html(client, app)
    for opt in app.extensions["content"].options:
        assert "<dt>Main side effect</dt>" in section(html, opt.id)
        assert "<dt>Common side effects and downsides</dt>" in details_page(client, opt.id)


def test_q6(client: FlaskClient, app: Flask) -> None:
    html = summary_html(client, app)
    for opt in app.extensions["content"].options:
        part = section(html, opt.id)
        for heading in ["What it involves", "Visits", "Cost"]:
            assert f"<dt>{heading}</dt>" in part
        page = details_page(client, opt.id)
        for heading in ["How it is given", "Driving and work on treatment days",
                        "Longer-term issues"]:
            assert f"<dt>{heading}</dt>" in page


def test_c1(client: FlaskClient, app: Flask) -> None:
    html = summary_html(client, app, medicines=ADEQUATE_UNSUCCESSFUL, health=["high_bp"])
    for opt in app.extensions["content"].options:
        # The same short rows, in the same order, for every option.
        assert re.findall(r"<dt>([^<]+)</dt>", section(html, opt.id)) == CARD_ROWS
        # Benefits and harms use the same claim markup on the details page.
        page = details_page(client, opt.id)
        claims = page.count('class="claim"')
        assert claims == len(opt.benefit_claims) + len(opt.harm_claims)


def test_c2(client: FlaskClient, app: Flask) -> None:
    html = summary_html(client, app)
    snap = current_record(client, app).summary_snapshot
    sources = client.get("/summary/sources").get_data(as_text=True)
    for n, _src in enumerate(snap["sources"], start=1):
        assert f'id="s{n}"' in sources
    # Every short reference in the body points at a listed source.
    refs = set(re.findall(r'href="/summary/sources#s(\d+)"', html))
    assert refs and all(1 <= int(n) <= len(snap["sources"]) for n in refs)
    about = client.get("/about").get_data(as_text=True)
    for sid in app.extensions["content"].sources:
        assert f'id="source-{sid}"' in about


def test_c3(client: FlaskClient, app: Flask) -> None:
    meta = app.extensions["content"].meta
    for url in ["/", "/about", "/privacy"]:
        html = client.get(url).get_data(as_text=True)
        assert meta.version in html and meta.published.strftime("%-d %B %Y") in html
    summary_html(client, app)
    printed = client.get("/summary/print").get_data(as_text=True)
    assert meta.version in printed


def test_c4(client: FlaskClient, app: Flask) -> None:
    meta = app.extensions["content"].meta
    about = client.get("/about").get_data(as_text=True)
    assert meta.update_policy.replace("'", "&#39;") in about
    assert "due for review" not in about
    summary_html(client, app)
    client.post("/summary/save")
    code = re.search(r'id="resume-code">([^<]+)<', client.get("/saved").get_data(True))
    assert code
    day_after_review = datetime.combine(meta.next_review, datetime.min.time()) + timedelta(days=1)
    with time_machine.travel(day_after_review, tick=False):
        later = app.test_client()
        about = later.get("/about").get_data(as_text=True)
        assert later.post("/resume", data={"code": code.group(1)}).status_code == 303
        summary = later.get("/summary").get_data(as_text=True)
    assert "due for review" in about and "overdue" in about
    assert "due for review" in summary


def test_c5(client: FlaskClient, app: Flask) -> None:
    html = summary_html(client, app)
    snap = current_record(client, app).summary_snapshot
    for opt in snap["options"]:
        assert "<dt>How sure the evidence is</dt>" in section(html, opt["id"])
        page = details_page(client, opt["id"])
        for claim in opt["benefit_claims"] + opt["harm_claims"]:
            assert "<dt>How sure</dt>" in page
            assert claim["uncertainty"].replace("'", "&#39;") in page


def test_c6(client: FlaskClient, app: Flask) -> None:
    meta = app.extensions["content"].meta
    about = client.get("/about").get_data(as_text=True)
    assert meta.funding.replace("'", "&#39;") in about
    summary_html(client, app)
    printed = client.get("/summary/print").get_data(as_text=True)
    assert meta.funding.replace("'", "&#39;") in printed


def test_natural_course(client: FlaskClient, app: Flask) -> None:
    html = summary_html(client, app)
    first = re.search(r'<section class="card" id="option-([a-z_]+)">', html)
    assert first and first.group(1) == "continue"
    assert "<dt>Longer-term issues</dt>" in details_page(client, "continue")


def test_probability_formats(client: FlaskClient, app: Flask) -> None:
    card = section(summary_html(client, app), "esketamine")
    assert re.search(r"About \d+ in 100", card)
    page = details_page(client, "esketamine")
    assert re.search(r"About \d+ out of 100", page)
    assert re.search(r'img/icon-array/\d+\.svg', page)


def test_both_frames(client: FlaskClient, app: Flask) -> None:
    summary_html(client, app)
    snap = current_record(client, app).summary_snapshot
    opt, claim = next((o, c) for o in snap["options"] for c in o["benefit_claims"]
                      if c["show_both_frames"])
    page = details_page(client, opt["id"])
    assert f"About {claim['value']} out of 100" in page
    assert f"About {100 - claim['value']} out of 100 did not" in page


def test_values_clarification(client: FlaskClient, app: Flask) -> None:
    q = app.extensions["content"].questionnaire
    field = q.field("top_priorities")
    assert field.type == "checkboxes" and field.max_choices == 3  # no sliders, no ranking
    assert {c.value for c in field.choices} == {p.id for p in app.extensions["content"].priorities}
    html = summary_html(client, app, top_priorities=["memory"])
    grid = html.split('id="grid-heading"', 1)[1].split("</table>", 1)[0]
    labels = {p.id: p.short for p in app.extensions["content"].priorities}
    assert labels["memory"] in grid


def test_comparison_table(client: FlaskClient, app: Flask) -> None:
    html = summary_html(client, app, top_priorities=["memory", "cost"])
    table = html.split('id="grid-heading"', 1)[1].split("</table>", 1)[0]
    content = app.extensions["content"]
    labels = {p.id: p.short for p in content.priorities}
    assert labels["memory"] in table and labels["cost"] in table
    assert table.count('<th scope="row">') == 9
    head = table.split("<thead>", 1)[1].split("</thead>", 1)[0].lower()
    assert "score" not in head and "rank" not in head  # no score or rank column
    assert "does not score or rank the options" in table


def test_step_by_step(client: FlaskClient, app: Flask) -> None:
    html = summary_html(client, app, health=["memory"])
    # Layer 2: each card carries its points to raise, folded (closed until opened).
    folded = re.search(r"<details><summary>(\d+) points? to raise from your answers</summary>",
                       html)
    assert folded and int(folded[1]) >= 1
    assert "Points to raise, from your answers" in details_page(client, "ect")
    assert 'href="/sure"' in html
    sure = client.get("/sure").get_data(as_text=True)
    assert "Do you know the benefits and risks of each option?" in sure


def test_questions_on_print(client: FlaskClient, app: Flask, tmp_path) -> None:  # type: ignore[no-untyped-def]
    summary_html(client, app, own_questions="Can I keep working?")
    snap = current_record(client, app).summary_snapshot
    printed = client.get("/summary/print").get_data(as_text=True)
    assert "Questions to ask your clinician" in printed and "Can I keep working?" in printed
    for qn in snap["questions_to_ask"][:3]:
        assert qn.replace("'", "&#39;") in printed
    need("pdftotext", shutil.which("pdftotext") is not None)
    pdf = tmp_path / "s.pdf"
    pdf.write_bytes(client.get("/summary/pdf").data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Questions to ask your clinician" in text
