"""CLI commands: fhir-check, fhir-token create|list|revoke and export-summaries."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from decision_aid.security import audit
from decision_aid.storage.db import get_session
from decision_aid.storage.models import PatientRecord

from . import build, checks, tokens

NAME_MAX = 100


@click.command("fhir-check")
@click.option("--limit", default=50, show_default=True,
              help="How many saved summaries to build and check as Bundles.")
@with_appcontext
def fhir_check(limit: int) -> None:
    """Check every FHIR resource the app makes: each parses with the FHIR library, and the
    Questionnaire and QuestionnaireResponses read back to what they came from."""
    content = current_app.extensions["content"]
    problems = checks.questionnaire_problems(content, build.questionnaire_json())
    click.echo(f"Questionnaire {build.canonical_base()}: "
               f"{'round trip OK' if not problems else 'PROBLEMS'}")
    records = list(get_session().scalars(
        select(PatientRecord)
        .where(PatientRecord.status == "saved", PatientRecord.summary_snapshot.is_not(None))
        .order_by(PatientRecord.saved_at.desc()).limit(limit)
    ))
    bad = 0
    for record in records:
        found = checks.record_problems(record)
        if found:
            bad += 1
            problems.extend(f"summary {record.id}: {p}" for p in found)
    click.echo(f"Bundles checked: {len(records)}, with problems: {bad}")
    checks.capability_ok()
    click.echo("CapabilityStatement: OK")
    if problems:
        for p in problems:
            click.echo(f"  - {p}", err=True)
        raise click.ClickException(f"{len(problems)} problem(s) found")
    click.echo("All FHIR resources parse with fhir.resources (R4B models) and round-trip.")


@click.group("fhir-token")
def token_group() -> None:
    """Read-only API tokens for the FHIR API."""


@token_group.command("create")
@click.argument("name")
@click.option("--days", type=click.IntRange(1, 3650), default=None,
              help="Let the token expire after this many days (default: no expiry).")
@with_appcontext
def token_create(name: str, days: int | None) -> None:
    """Make a token named NAME (who or what uses it). The token is shown once only."""
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise click.ClickException(f"Give the token a name of 1 to {NAME_MAX} characters")
    new = tokens.create(name, days)
    audit.record("token_created", actor="system", detail=f"token:{new.id} {name[:40]}",
                 commit=False)
    get_session().commit()
    click.echo(f"Created read-only token {new.id} ({name}). Copy it now: it is not shown again.")
    click.echo(new.secret)


@token_group.command("list")
@with_appcontext
def token_list() -> None:
    """List tokens (never the tokens themselves)."""
    rows = tokens.all_tokens()
    if not rows:
        click.echo("No API tokens.")
    for t in rows:
        used = t.last_used_at.isoformat(timespec="minutes") if t.last_used_at else "never"
        expires = t.expires_at.date().isoformat() if t.expires_at else "no expiry"
        click.echo(f"{t.id}\t{t.state}\t{t.prefix}…\t{t.scope}\t{t.name}\t"
                   f"created {t.created_at.date().isoformat()}\tlast used {used}\t{expires}")


@token_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def token_revoke(token_id: int) -> None:
    """Revoke token TOKEN_ID at once."""
    info = tokens.revoke(token_id)
    if info is None:
        raise click.ClickException(f"No API token has id {token_id}")
    audit.record("token_revoked", actor="system", detail=f"token:{token_id}", commit=False)
    get_session().commit()
    click.echo(f"Revoked token {token_id} ({info.name}).")


@click.command("export-summaries")
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="Write the CSV to this file instead of standard output.")
@click.option("--include-free-text", is_flag=True,
              help="Also export people's own questions (shared summaries only). Warns first.")
@click.option("--yes", is_flag=True, help="Do not ask before including free text.")
@with_appcontext
def export_summaries(output: str | None, include_free_text: bool, yes: bool) -> None:
    """Write one CSV row per saved summary, for clinic quality work (no free text by default)."""
    from ..clinician.exports import FREE_TEXT_WARNING, export

    if include_free_text:
        click.echo(FREE_TEXT_WARNING, err=True)
        if not yes and not click.confirm("Include free text?", default=False, err=True):
            raise click.ClickException("Nothing exported")
    audit.record("summary_export", actor="system",
                 detail=f"cli free_text={'yes' if include_free_text else 'no'}")
    count = -1
    if output:
        with open(output, "w", newline="", encoding="utf-8") as fh:
            for count, line in enumerate(export(include_free_text)):  # noqa: B007
                fh.write(line)
        click.echo(f"Wrote {count} summary row(s) to {output}.", err=True)
    else:
        for line in export(include_free_text):
            sys.stdout.write(line)


def register_commands(app: Flask) -> None:
    for command in (fhir_check, token_group, export_summaries):
        app.cli.add_command(command)
