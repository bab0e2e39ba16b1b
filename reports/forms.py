"""Forms for releasing and reopening reports."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from .release import REOPEN_REASON_MAX_LENGTH


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why are the reports being reopened?",
        help_text="Kept in the programme's audit log. For example: a comment must be redacted.",
        max_length=REOPEN_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter why the reports are being reopened",
            "max_length": f"The reason must be {REOPEN_REASON_MAX_LENGTH} characters or fewer",
        },
    )

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(Submit("reopen", "Reopen and regenerate the reports"))
