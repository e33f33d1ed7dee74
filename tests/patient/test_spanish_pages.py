"""Every Spanish patient page, as rendered: no English left, plain Spanish (Szigriszt-Pazos /
INFLESZ >= 55, each paragraph, list item and cell counted as one sentence, as the English test
counts FK and SMOG), and no advice or ranking in Spanish (issue 13, Deliver 7 and 9).

"No English left" reads what a Spanish reader gets (visible text, title, alt / aria-label /
placeholder / title attributes) and looks for common English words that are not Spanish words.
Left out: scripts, <code>, codes to copy, the numbered source citations (titles stay in their own
language) and anything marked lang="en" (such as the "English" link). Readability leaves out what
the English test leaves out: the verbatim PHQ-9 and GAD-7 and the citations.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from flask import Flask

from tests.patient.test_page_readability import one_sentence_each, units_of
from tests.support.spanish import english_words, find_banned_es, html_lang, spanish_pages

MIN_SZIGRISZT = 55.0  # "normal" on the INFLESZ scale; the aim is 65
AIM_SZIGRISZT = 65.0


@pytest.fixture
def pages(app: Flask) -> dict[str, str]:
    return spanish_pages(app)


@pytest.fixture
def spanish_textstat(textstat: ModuleType) -> Any:
    """A textstat of its own set to Spanish, so the English tests' textstat is left as it is."""
    from textstat.textstat import textstatistics  # type: ignore[import-untyped]

    ts = textstatistics()
    ts.set_lang("es")
    return ts


def test_every_page_is_reached_and_marked_spanish(pages: dict[str, str]) -> None:
    expected = {"/", "/check", "/summary", "/summary/sources", "/summary/print", "/about",
                "/privacy", "/saved", "/resume", "/delete", "/finished", "/sure", "/deleted",
                "/no-such-page", "/q/phq9 (errors)", "/resume (wrong code)",
                "/summary/share (no choice)"}
    assert expected <= set(pages), sorted(expected - set(pages))
    assert sum("(crisis" in u for u in pages) == 2
    assert sum(u.startswith("/q/") for u in pages) >= 12
    not_spanish = sorted(u for u, html in pages.items() if html_lang(html) != "es")
    assert not not_spanish, f'pages without <html lang="es">: {not_spanish}'


def test_no_english_left_on_any_spanish_page(pages: dict[str, str]) -> None:
    found = {url: english_words(html) for url, html in pages.items()}
    found = {url: words for url, words in found.items() if words}
    report = "\n".join(
        f"{url}: {len(words)} English words, e.g. " + "; ".join(
            f"{w!r} in «{ctx}»" for w, ctx in list(words.items())[:3])
        for url, words in sorted(found.items(), key=lambda kv: -len(kv[1])))
    assert not found, f"{len(found)} of {len(pages)} Spanish pages still have English:\n{report}"


def test_every_spanish_page_scores_55_or_more_on_szigriszt_pazos(
        pages: dict[str, str], spanish_textstat: Any) -> None:
    scores = {}
    for url, html in pages.items():
        prose = one_sentence_each(units_of(html))
        if prose.strip(" ."):
            scores[url] = float(spanish_textstat.szigriszt_pazos(prose))
    assert len(scores) >= 25
    table = "\n".join(f"{u:44} {s:6.1f}" for u, s in sorted(scores.items(), key=lambda kv: kv[1]))
    print(f"\nSzigriszt-Pazos per Spanish page (floor {MIN_SZIGRISZT}, aim {AIM_SZIGRISZT}):\n"
          + table)
    too_hard = {u: s for u, s in scores.items() if s < MIN_SZIGRISZT}
    assert not too_hard, f"pages below {MIN_SZIGRISZT} on Szigriszt-Pazos:\n{table}"


def test_no_spanish_page_advises_or_ranks(pages: dict[str, str]) -> None:
    from tests.support.spanish import spanish_text

    found = {url: find_banned_es(spanish_text(html)) for url, html in pages.items()}
    found = {url: phrases for url, phrases in found.items() if phrases}
    assert not found, found


# --- the checks themselves can fail ------------------------------------------------------------


def test_the_english_word_check_finds_english_and_spares_what_is_not_ours() -> None:
    page = ('<html lang="es"><head><title>Sus opciones</title></head><body>'
            '<a lang="en" hreflang="en" href="/language/en">English</a>'
            '<main><h1>Sus opciones</h1><p>Hable con su médico. Visite 988lifeline.org.</p>'
            '<ol class="sources-list"><li>Rush AJ. Acute and longer-term outcomes in '
            'depressed outpatients. Am J Psychiatry. 2006.</li></ol>'
            '<p>PHQ-9: Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief '
            'depression severity measure. J Gen Intern Med 2001;16:606–613. Elaborado por los '
            'doctores Spitzer y Kroenke. Légaré F, Kearing S, Clay K, et al. Are you SURE? '
            'Assessing patient decisional conflict. Can Fam Physician 2010;56(8):e308–e314.</p>'
            '<span class="code-display">ABCD-EFGH</span><code>the code</code>'
            '<script>var the = 1;</script></main></body></html>')
    assert english_words(page) == {}
    assert set(english_words(page.replace("Hable con su médico", "Talk with your clinician"))) \
        == {"with", "your", "clinician"}
    assert "the" in english_words('<main><img alt="the medicine"></main>')
    assert set(english_words("<p>Versión oficial (Spanish for the USA), de 2010.</p>")) == {
        "for", "the"}
    assert "save" in english_words('<main><input type="submit" value="Save"></main>')


def test_the_spanish_banned_phrases_are_found_with_or_without_accents() -> None:
    assert find_banned_es("Usted DEBERIA probar esto.") == ["debería"]
    assert find_banned_es("Le recomendamos la mejor opción.") == [
        "le recomendamos", "recomendamos", "la mejor opción"]
    assert find_banned_es("Hable con su médico. Usted decide.") == []


def test_the_readability_floor_can_fail(spanish_textstat: Any) -> None:
    hard = ("<main><p>La farmacoterapia antidepresiva combinada con intervenciones "
            "psicoterapéuticas estructuradas proporciona, según investigaciones "
            "metodológicamente heterogéneas, resultados significativamente superiores "
            "comparativamente.</p></main>")
    easy = "<main><p>Hable con su médico.</p><p>Usted decide.</p></main>"
    assert spanish_textstat.szigriszt_pazos(one_sentence_each(units_of(hard))) < MIN_SZIGRISZT
    assert spanish_textstat.szigriszt_pazos(one_sentence_each(units_of(easy))) > AIM_SZIGRISZT
