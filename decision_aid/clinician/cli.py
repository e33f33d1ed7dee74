"""`flask --app decision_aid create-clinician | disable-clinician | reset-mfa | export-audit`."""

from __future__ import annotations

import re
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from decision_aid.security import audit
from decision_aid.security.passwords import check_password, hash_password
from decision_aid.storage.db import get_session
from decision_aid.storage.models import Clinician

from .audit_log import write_audit_csv

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _find(email: str) -> Clinician | None:
    return get_session().scalars(select(Clinician).where(Clinician.email == email)).first()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@click.command("create-clinician")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Let this clinician read the audit log.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_clinician(email: str, admin: bool, password_stdin: bool) -> None:
    """Create a clinician account. The password is asked for, never passed as an argument."""
    email = email.strip().lower()
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise click.ClickException(
            "Enter an email address in the correct format, like name@example.org"
        )
    if _find(email) is not None:
        raise click.ClickException("A clinician with that email address already exists")
    password = _read_password(password_stdin)
    problem = check_password(password, email=email)
    if problem:
        raise click.ClickException(problem)
    profile = str(current_app.config.get("PASSWORD_HASH_PROFILE", "default"))
    clinician = Clinician(
        email=email,
        password_hash=hash_password(password, profile),
        is_admin=admin,
        active=True,
        session_generation=0,
        failed_logins=0,
    )
    db = get_session()
    db.add(clinician)
    db.flush()
    audit.record("clinician_created", actor="system", clinician_id=clinician.id,
                 detail="admin" if admin else None, commit=False)
    db.commit()
    click.echo(f"Created clinician {email}{' (admin)' if admin else ''}.")


@click.command("disable-clinician")
@click.argument("email")
@with_appcontext
def disable_clinician(email: str) -> None:
    """Disable a clinician account and end all of its sessions."""
    clinician = _find(email.strip().lower())
    if clinician is None:
        raise click.ClickException("No clinician has that email address")
    clinician.active = False
    clinician.session_generation = int(clinician.session_generation or 0) + 1
    audit.record("clinician_disabled", actor="system", clinician_id=clinician.id, commit=False)
    get_session().commit()
    click.echo(f"Disabled clinician {clinician.email}. Their sessions have ended.")


@click.command("reset-mfa")
@click.argument("email")
@with_appcontext
def reset_mfa(email: str) -> None:
    """Remove every second factor and recovery code of a clinician who lost them all, and end
    their sessions. Check who is asking first: this is the way round the second factor."""
    from decision_aid.storage.models import ClinicianFactor

    from .mfa import drop_recovery_codes

    clinician = _find(email.strip().lower())
    if clinician is None:
        raise click.ClickException("No clinician has that email address")
    db = get_session()
    factors = list(db.scalars(select(ClinicianFactor).where(
        ClinicianFactor.clinician_id == clinician.id)))
    for factor in factors:
        db.delete(factor)
    drop_recovery_codes(clinician.id)
    clinician.session_generation = int(clinician.session_generation or 0) + 1
    audit.record("mfa_removed", actor="system", clinician_id=clinician.id,
                 detail=f"reset factors={len(factors)}", commit=False)
    db.commit()
    click.echo(f"Removed {len(factors)} second factor(s) of {clinician.email}. They set up a new "
               "one at their next sign-in if the clinic requires it.")


@click.command("export-audit")
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="Write the CSV to this file instead of standard output.")
@with_appcontext
def export_audit(output: str | None) -> None:
    """Write the whole audit log as CSV (UTC times, no answers)."""
    if output:
        with open(output, "w", newline="", encoding="utf-8") as fh:
            count = write_audit_csv(fh)
        click.echo(f"Wrote {count} audit event(s) to {output}.", err=True)
    else:
        count = write_audit_csv(sys.stdout)
    audit.record("audit_export", actor="system", detail=f"rows={count}")


def register_commands(app: Flask) -> None:
    for command in (create_clinician, disable_clinician, reset_mfa, export_audit):
        app.cli.add_command(command)
