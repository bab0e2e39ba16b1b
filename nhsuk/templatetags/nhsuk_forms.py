"""Helpers for the NHS.UK crispy-forms template pack in ``nhsuk/templates/nhsuk/``.

The pack's templates decide the markup; these helpers only do what Django templates cannot:
name the kind of widget a field uses, work out the ids that ``aria-describedby`` and the
error summary point at, and render a widget with NHS.UK classes added to its own.
"""

import re

from django import forms, template
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe

from nhsuk.fields import DateTimePartsWidget

register = template.Library()

_CLASS_ATTR = re.compile(r'class="([^"]*)"')

# Classes NHS.UK frontend puts on each kind of widget, and the ones it adds on error.
_WIDGET_CLASSES = {
    "input": ("nhsuk-input", "nhsuk-input--error"),
    "password": (
        "nhsuk-input nhsuk-password-input__input nhsuk-js-password-input-input",
        "nhsuk-input--error",
    ),
    "textarea": ("nhsuk-textarea", "nhsuk-textarea--error"),
    "select": ("nhsuk-select", "nhsuk-select--error"),
    "file": ("nhsuk-file-upload__input", ""),
    "checkbox": ("nhsuk-checkboxes__input", ""),
    "multi": ("nhsuk-input", "nhsuk-input--error"),
}


@register.filter
def nhsuk_kind(field):
    """Which NHS.UK component renders this bound field.

    One of: hidden, radios, checkboxes, checkbox, select, textarea, file, password,
    date (day, month, year and time boxes), multi (another MultiWidget) or input (every
    other <input>: text, email, number, date...).
    """
    widget = field.field.widget
    if widget.is_hidden:
        return "hidden"
    # CheckboxSelectMultiple is a RadioSelect subclass: test it first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.PasswordInput):
        return "password"
    if isinstance(widget, DateTimePartsWidget):
        return "date"
    if isinstance(widget, forms.MultiWidget):
        return "multi"
    return "input"


def _widget_id(field):
    return field.field.widget.attrs.get("id") or field.auto_id or ""


@register.filter
def nhsuk_error_target(field):
    """The id an error summary link points at: the input itself, or its first option.

    Radios and checkboxes have no element with the field's own id, so the link goes to the
    first option (``id_<name>_0``), as NHS.UK frontend's error summary expects.
    """
    widget = field.field.widget
    id_ = _widget_id(field)
    if isinstance(widget, forms.RadioSelect):  # includes CheckboxSelectMultiple
        return widget.id_for_label(id_, "0")
    if isinstance(widget, forms.MultiWidget):
        return f"{id_}_0"
    return field.id_for_label or id_


@register.simple_tag
def nhsuk_field_ids(field, show_errors=True):
    """Ids a field's hint and error message get, and the ``aria-describedby`` listing them.

    ``show_errors`` is the helper's ``form_show_errors``; left undefined it means True.
    An ``aria-describedby`` already set on the widget comes first.
    """
    if show_errors in ("", None):
        show_errors = True
    id_ = _widget_id(field)
    hint = f"{id_}-hint" if field.help_text else ""
    error = f"{id_}-error" if show_errors and field.errors else ""
    own = field.field.widget.attrs.get("aria-describedby", "")
    return {
        "id": id_,
        "hint": hint,
        "error": error,
        "describedby": " ".join(part for part in (own, hint, error) if part),
        "target": nhsuk_error_target(field),
    }


@register.simple_tag
def nhsuk_widget(field, kind, describedby="", error=False, **attrs):
    """Render the field's widget with NHS.UK classes in front of its own classes.

    ``attrs`` are extra HTML attributes (``spellcheck="false"``); ``describedby`` replaces
    the ``aria-describedby`` Django would add for help text, whose id we do not use.
    """
    base, on_error = _WIDGET_CLASSES.get(kind, _WIDGET_CLASSES["input"])
    own = field.field.widget.attrs.get("class", "")
    classes = [base, on_error if error else "", own]
    attrs["class"] = " ".join(dict.fromkeys(" ".join(classes).split()))
    if describedby:
        attrs["aria-describedby"] = describedby
    return field.as_widget(attrs=attrs)


@register.filter
def nhsuk_extra_classes(classes):
    """A crispy layout object's classes without the Bootstrap ones crispy core adds.

    ``Submit`` carries "btn btn-primary", ``Hidden`` "hidden", ``Tab`` "tab-pane active";
    whatever else a form's author added is kept.
    """
    bootstrap = {"btn", "hidden", "tab-pane", "active", "alert", "alert-block"}
    return " ".join(
        name
        for name in str(classes or "").split()
        if name not in bootstrap and not name.startswith("btn-")
    )


@register.filter
def nhsuk_attrs_without(attrs, names):
    """HTML attributes from a dict, leaving out the comma-separated ``names``.

    Used for radio and checkbox options, whose class the template writes itself.
    """
    left_out = {name.strip() for name in names.split(",")}
    return flatatt({key: value for key, value in attrs.items() if key not in left_out})


@register.filter
def nhsuk_button_attrs(flat_attrs):
    """A ``StrictButton``'s attributes with its Bootstrap classes swapped for NHS.UK ones.

    A submit button is primary, any other a secondary button.
    """
    flat_attrs = str(flat_attrs)
    primary = 'type="submit"' in flat_attrs

    def swap(match):
        extra = nhsuk_extra_classes(match.group(1))
        base = "nhsuk-button" if primary else "nhsuk-button nhsuk-button--secondary"
        return 'class="{}"'.format(" ".join(filter(None, (base, extra))))

    return mark_safe(_CLASS_ATTR.sub(swap, flat_attrs, count=1))  # noqa: S308 - flatatt output


@register.simple_tag
def nhsuk_date_parts(field) -> list[dict]:
    """The boxes of a date input (``DateTimePartsWidget``): id, name, value as typed (or
    as saved), label and width, for ``nhsuk/templates/nhsuk/field.html``."""
    widget = field.field.widget
    value = field.value()
    if not isinstance(value, list | tuple):
        value = widget.decompress(value)
    id_ = _widget_id(field)
    return [
        {
            "id": f"{id_}_{index}",
            "name": f"{field.html_name}{suffix}",
            "value": value[index] if index < len(value) and value[index] is not None else "",
            "label": label,
            "width": width,
            "numeric": label != "Time",
        }
        for index, ((label, width), suffix) in enumerate(
            zip(widget.parts, widget.widgets_names, strict=True)
        )
    ]
