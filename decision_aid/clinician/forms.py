"""Clinician forms (Flask-WTF): sign-in, open-by-code, second factor and password change.

Each form reads and bounds its fields; `problems()` gives one message per field for the page's
error summary. The routes decide what a valid form means (a matching account, a working code).
The CSRF token is checked for every POST by CSRFProtect, so the forms do not check it again.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

MSG_EMAIL_EMPTY = "Enter your email address"
MSG_EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.org"
MSG_PASSWORD_EMPTY = "Enter your password"  # noqa: S105  # nosec B105
MSG_FACTOR_EMPTY = "Enter the 6-digit code from your authenticator app, or a recovery code"
MSG_TOTP_EMPTY = "Enter the 6-digit code from your authenticator app"
MSG_TOTP_FORMAT = "Enter the code as 6 numbers, like 123456"
MSG_CURRENT_EMPTY = "Enter your current password"
MSG_NEW_EMPTY = "Enter a new password"
MSG_CONFIRM = "Enter the same new password twice"
MSG_LABEL_LONG = "Name must be 40 characters or fewer"

EMAIL_MAX = 254
PASSWORD_FIELD_MAX = 1024  # longer input is cut here; the length rule still refuses it
CODE_MAX = 64


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _no_control_characters(_form: FlaskForm, field: Field) -> None:
    # A NUL cannot be stored or compared by PostgreSQL; no address has one.
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in field.data or ""):
        raise ValidationError(MSG_EMAIL_FORMAT)


def _cut(limit: int):  # type: ignore[no-untyped-def]
    def cut(value: object) -> object:
        return value[:limit] if isinstance(value, str) else value

    return cut


class ClinicianForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect covers every POST already

    def problems(self) -> dict[str, str]:
        return {name: errors[0] for name, errors in self.errors.items() if errors}


class SignInForm(ClinicianForm):
    email = StringField(filters=[_strip], validators=[
        DataRequired(MSG_EMAIL_EMPTY), Length(max=EMAIL_MAX, message=MSG_EMAIL_FORMAT),
        _no_control_characters])
    password = PasswordField(filters=[_cut(PASSWORD_FIELD_MAX)],
                             validators=[DataRequired(MSG_PASSWORD_EMPTY)])
    next = HiddenField()


class OpenByCodeForm(ClinicianForm):
    code = StringField(filters=[_strip, _cut(CODE_MAX)])


class SecondFactorForm(ClinicianForm):
    code = StringField(filters=[_strip, _cut(CODE_MAX)],
                       validators=[DataRequired(MSG_FACTOR_EMPTY)])


class TotpSetupForm(ClinicianForm):
    code = StringField(filters=[lambda v: v.replace(" ", "") if isinstance(v, str) else v],
                       validators=[DataRequired(MSG_TOTP_EMPTY),
                                   Regexp(r"^[0-9]{6}$", message=MSG_TOTP_FORMAT)])
    label = StringField(filters=[_strip], validators=[Length(max=40, message=MSG_LABEL_LONG)])


class PasswordChangeForm(ClinicianForm):
    current = PasswordField(filters=[_cut(PASSWORD_FIELD_MAX)],
                            validators=[DataRequired(MSG_CURRENT_EMPTY)])
    new = PasswordField(filters=[_cut(PASSWORD_FIELD_MAX)],
                        validators=[DataRequired(MSG_NEW_EMPTY)])
    confirm = PasswordField(filters=[_cut(PASSWORD_FIELD_MAX)],
                            validators=[DataRequired(MSG_CONFIRM), EqualTo("new", MSG_CONFIRM)])
