"""Forms: the debrief (date, notes, release), the plan's goals, the facilitator's comments.

Dates use the NHS.UK date input (three boxes) of ``nhsuk.fields``, without the
time box. What was typed is shown again as typed when something is wrong.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from framework.models import Quality
from nhsuk.fields import DATE_TIME_PARTS, DateTimePartsWidget, date_from_parts

from .models import MAX_GOALS
from .services import NOTES_MAX_LENGTH, REQUIRED_TO_SUBMIT, GoalInput

TEXT_MAX_LENGTH = 2000


class DatePartsWidget(DateTimePartsWidget):
    """Day, month and year boxes (the NHS.UK date input)."""

    parts = DATE_TIME_PARTS[:3]

    def __init__(self, attrs=None):
        forms.MultiWidget.__init__(self, [forms.TextInput() for _ in self.parts], attrs)

    def decompress(self, value):
        if not value:
            return ["", "", ""]
        return [str(value.day), str(value.month), str(value.year)]


class DatePartsField(forms.MultiValueField):
    """A date from day, month and year boxes; messages name ``subject`` ("of the debrief")."""

    widget = DatePartsWidget

    def __init__(self, *, subject: str, **kwargs):
        self.subject = subject
        fields = [forms.CharField(required=False) for _ in DatePartsWidget.parts]
        kwargs.setdefault("help_text", "For example, 12 1 2027")
        super().__init__(fields, require_all_fields=False, **kwargs)
        self.error_messages["required"] = f"Enter the date {subject}"

    def compress(self, data_list):
        if not data_list or not any(part.strip() for part in data_list):
            return None
        day, month, year = (part.strip() for part in data_list)
        return date_from_parts(day, month, year, subject=self.subject)


class DebriefForm(forms.Form):
    held_on = DatePartsField(label="When was the debrief?", subject="of the debrief")
    notes = forms.CharField(
        label="Notes (optional)",
        help_text="Only you and the leader can read these notes. Programme admins cannot.",
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": f"Notes must be {NOTES_MAX_LENGTH} characters or fewer"},
    )
    release = forms.BooleanField(
        label="Release the reports now",
        required=False,
    )

    def __init__(self, *args, releasable: bool, leader_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if not leader_name:  # the leader, recording their own debrief
            self.fields["notes"].help_text = "Only you can read these notes."
        if releasable:
            self.fields["release"].label = (
                f"Release the reports to {leader_name} now. They will read and download "
                "them, and the reports will no longer change."
            )
        else:
            del self.fields["release"]
        self.helper = FormHelper()
        self.helper.add_input(Submit("record", "Record the debrief"))

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on and held_on > timezone.localdate():
            raise ValidationError("The date of the debrief must be today or in the past")
        return held_on


class GoalForm(forms.Form):
    """One goal. Every field may be left empty in a draft; ``clean_for_submit`` asks for
    the rest when the plan is submitted."""

    quality = forms.ModelChoiceField(
        label="Which quality is this goal about?",
        queryset=Quality.objects.none(),
        required=False,
        empty_label="Choose a quality",
    )
    goal = forms.CharField(
        label="What do you want to develop?",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    actions = forms.CharField(
        label="What will you do?",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    support = forms.CharField(
        label="What support do you need? (optional)",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    success_measure = forms.CharField(
        label="How will you know you have succeeded?",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    review_on = DatePartsField(
        label="When will you review it?",
        subject="of the review",
        required=False,
    )

    def __init__(self, *args, framework=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quality"].queryset = (
            Quality.objects.filter(theme__framework=framework)
            .select_related("theme")
            .order_by("theme__order", "order")
        )
        self.fields["quality"].label_from_instance = lambda q: f"{q.theme.name}: {q.name}"
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.error_messages["max_length"] = (
                    f"This must be {TEXT_MAX_LENGTH} characters or fewer"
                )

    def clean_review_on(self):
        review_on = self.cleaned_data["review_on"]
        # A new or changed review date must be in the future; one saved earlier may pass.
        if review_on and "review_on" in self.changed_data and review_on <= timezone.localdate():
            raise ValidationError("The review date must be in the future")
        return review_on

    def goal_input(self) -> GoalInput:
        data = self.cleaned_data
        return GoalInput(
            quality=data.get("quality") or None,
            review_on=data.get("review_on") or None,
            goal=data.get("goal", "").strip(),
            actions=data.get("actions", "").strip(),
            support=data.get("support", "").strip(),
            success_measure=data.get("success_measure", "").strip(),
        )

    def clean_for_submit(self) -> None:
        """Add an error to each empty field a submitted goal needs."""
        messages = {
            "quality": "Choose the quality this goal is about",
            "goal": "Enter what you want to develop",
            "actions": "Enter what you will do",
            "success_measure": "Enter how you will know you have succeeded",
            "review_on": "Enter the date of the review",
        }
        for name in REQUIRED_TO_SUBMIT:
            if not self.cleaned_data.get(name) and name not in self.errors:
                self.add_error(name, messages[name])


def goal_forms(*, data=None, framework, goals=()) -> list[GoalForm]:
    """The plan page's five goal forms, filled from the saved goals."""
    saved = {goal.position: goal for goal in goals}
    forms_ = []
    for position in range(1, MAX_GOALS + 1):
        goal = saved.get(position)
        initial = (
            {
                "quality": goal.quality_id,
                "goal": goal.goal,
                "actions": goal.actions,
                "support": goal.support,
                "success_measure": goal.success_measure,
                "review_on": goal.review_on,
            }
            if goal
            else {}
        )
        forms_.append(
            GoalForm(data, prefix=f"goal{position}", framework=framework, initial=initial)
        )
    return forms_
