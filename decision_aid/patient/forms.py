"""The small patient forms (SURE, delete, share) as Flask-WTF classes.

Templates keep their own markup (the same as the question pages); these classes read and check
what was sent, with CSRF, and hold the error messages (lazy gettext: translated when shown).
"""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString, gettext, lazy_gettext  # type: ignore[import-untyped]
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length, Optional, Regexp, ValidationError

YES_NO = [SelectChoice("yes", lazy_gettext("Yes")), SelectChoice("no", lazy_gettext("No"))]
SHARE_LABEL_MAX = 40


def _yes_no(message: str | LazyString, label: str = "") -> RadioField:
    return RadioField(label, choices=YES_NO, validate_choice=False,
                      validators=[AnyOf(["yes", "no"], message=message)])


class DeleteForm(FlaskForm):  # type: ignore[misc]  # flask_wtf is untyped
    confirm = _yes_no(lazy_gettext("Select yes if you want to delete your answers and summary"))


class RemoveItemForm(FlaskForm):  # type: ignore[misc]  # flask_wtf is untyped
    """The question "Do you want to remove sertraline from your list?" on the medicines list."""

    # The template draws the two radios; the field only reads and checks the answer.
    confirm = StringField()

    def __init__(self, item_name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.item_name = item_name

    def validate_confirm(self, field: StringField) -> None:
        if field.data not in {"yes", "no"}:
            raise ValidationError(gettext("Select yes if you want to remove %(name)s",
                                          name=self.item_name))


class ShareForm(FlaskForm):  # type: ignore[misc]  # flask_wtf is untyped
    share = _yes_no(lazy_gettext("Select yes if you want to share your summary with your clinic"))
    # Optional words the person adds so the clinic can find their summary, such as initials and
    # the appointment date. Letters, numbers, spaces and simple punctuation only.
    label = StringField(
        lazy_gettext("Initials and appointment date (optional)"),
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
        validators=[
            Optional(),
            Length(max=SHARE_LABEL_MAX,
                   message=lazy_gettext("Enter no more than %(max)s letters and numbers",
                                        max=SHARE_LABEL_MAX)),
            Regexp(r"^[A-Za-z0-9 .,:/'()-]*$",
                   message=lazy_gettext("Use only letters, numbers, spaces and . , : / - ' ( )")),
        ],
    )


class SureForm(FlaskForm):  # type: ignore[misc]  # flask_wtf is untyped
    """The four SURE items; `sure_form` gives each its item text and error message."""

    items: tuple[str, ...] = ()


def sure_form(items: tuple[str, ...], **kwargs: Any) -> SureForm:
    fields = {
        f"sure_{i}": _yes_no(gettext("Select yes or no for: %(item)s", item=item), item)
        for i, item in enumerate(items, start=1)
    }
    form_class = type("SureItemsForm", (SureForm,), {**fields, "items": items})
    form: SureForm = form_class(**kwargs)
    return form


def first_errors(form: FlaskForm) -> dict[str, str]:
    """The first message for each field with an error, by field name (CSRF left to its handler),
    in this request's language (messages may be lazy)."""
    return {name: str(messages[0]) for name, messages in form.errors.items()
            if name != "csrf_token" and messages}
