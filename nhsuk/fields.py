"""Form fields of the NHS.UK pack (with ``templatetags/nhsuk_forms.py`` and
``templates/nhsuk/``): a date and time typed as the NHS.UK date input pattern asks.

The date is three boxes (day, month, year, numbers only) and the time a fourth, in UK
time. Each error says which part is wrong and what to enter, in the words the field is
given (``subject``: "the programme opens"), and what was typed is shown again as typed.
"""

import re
from datetime import date, datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

# (label, width in characters) of each box, in order.
DATE_TIME_PARTS = (("Day", 2), ("Month", 2), ("Year", 4), ("Time", 5))

_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


class DateTimePartsWidget(forms.MultiWidget):
    """Four text boxes; ``templates/nhsuk/field.html`` writes the NHS.UK markup."""

    parts: tuple[tuple[str, int], ...] = DATE_TIME_PARTS  # subclasses may show fewer

    def __init__(self, attrs=None):
        super().__init__([forms.TextInput() for _ in self.parts], attrs)

    def decompress(self, value):
        if not value:
            return ["", "", "", ""]
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return [str(local.day), str(local.month), str(local.year), local.strftime("%H:%M")]


def parse_time(text: str) -> time | None:
    """'09:00', '9:00', '17:30', '9.30', '9am', '5:30pm', 'midday', 'midnight'; None if not."""
    text = text.strip().lower().replace(" ", "")
    if text in ("midday", "noon"):
        return time(12, 0)
    if text == "midnight":
        return time(0, 0)
    found = _TIME.match(text)
    if not found:
        return None
    hour, minute, half = int(found[1]), int(found[2] or 0), found[3]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif found[2] is None:
        return None  # "9" alone: hours and minutes, please
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


class DateTimePartsField(forms.MultiValueField):
    """A moment in UK time, from day, month, year and time boxes.

    ``subject`` completes the messages: "Enter the date and time {subject}", "The date
    {subject} must include a month", "The date {subject} must be a real date".
    """

    widget = DateTimePartsWidget

    def __init__(self, *, subject: str, **kwargs):
        self.subject = subject
        fields = [forms.CharField(required=False) for _ in DATE_TIME_PARTS]
        kwargs.setdefault("help_text", "For example, 12 1 2027 and 09:00. UK time, 24-hour clock.")
        super().__init__(fields, require_all_fields=False, **kwargs)
        self.error_messages["required"] = f"Enter the date and time {subject}"

    def compress(self, data_list):
        if not data_list or not any(part.strip() for part in data_list):
            return None  # MultiValueField has already refused it if required
        day, month, year, clock = (part.strip() for part in data_list)
        missing = [
            name for name, value in (("day", day), ("month", month), ("year", year)) if not value
        ]
        if len(missing) == 3:
            raise ValidationError(f"Enter the date {self.subject}", code="required")
        day_ = date_from_parts(day, month, year, subject=self.subject)
        if not clock:
            raise ValidationError(f"Enter the time {self.subject}, like 09:00", code="required")
        moment = parse_time(clock)
        if moment is None:
            raise ValidationError(
                f"Enter the time {self.subject} as hours and minutes, like 09:00 or 17:30",
                code="invalid",
            )
        return timezone.make_aware(datetime.combine(day_, moment))


def date_from_parts(day: str, month: str, year: str, *, subject: str) -> date:
    """The date typed in the three boxes, or a ValidationError in the NHS.UK wording."""
    missing = [
        name for name, value in (("day", day), ("month", month), ("year", year)) if not value
    ]
    if missing:
        raise ValidationError(
            f"The date {subject} must include a {' and a '.join(missing)}", code="incomplete"
        )
    if not (day.isdigit() and month.isdigit() and year.isdigit()):
        raise ValidationError(
            f"The date {subject} must be in numbers, like 12 1 2027", code="invalid"
        )
    if len(year) != 4:
        raise ValidationError(
            f"The year {subject} must include 4 numbers, like 2027", code="invalid"
        )
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValidationError(f"The date {subject} must be a real date", code="invalid") from None
