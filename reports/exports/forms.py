"""The form a programme admin asks for a cohort export with."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from ..models import CohortExport

NAMED, ANONYMISED = "named", "anonymised"


class CohortExportForm(forms.Form):
    kind = forms.ChoiceField(
        label="Format",
        choices=CohortExport.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a format", "invalid_choice": "Choose a format"},
    )
    leaders = forms.ChoiceField(
        label="How leaders are shown",
        choices=[
            (ANONYMISED, "Anonymised: a pseudonym per leader, the same in every export"),
            (NAMED, "Named: each leader's name"),
        ],
        widget=forms.RadioSelect,
        initial=ANONYMISED,
        help_text="Share a named export only with people who may see each leader's results.",
        error_messages={
            "required": "Choose how leaders are shown",
            "invalid_choice": "Choose how leaders are shown",
        },
    )

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(Submit("request", "Prepare export"))

    @property
    def named(self) -> bool:
        return self.cleaned_data["leaders"] == NAMED
