"""The form a leader (or a programme admin) uses to nominate, or replace, one rater.

It checks what can be checked from the input alone; the rules that depend on the other
raters (no self, no duplicate, group maximum, programme open) are the service's, which
the view turns into errors on this form.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from accounts.names import name_problem

from ..models import RaterGroup


class RaterForm(forms.Form):
    name = forms.CharField(
        label="Full name",
        max_length=200,
        error_messages={
            "required": "Enter the rater's full name.",
            "max_length": "Enter a name of 200 characters or fewer.",
        },
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="Their invitation, with a personal link, is sent here.",
        error_messages={
            "required": "Enter the rater's email address.",
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk.",
            "max_length": "Enter an email address of 254 characters or fewer.",
        },
    )
    rater_group = forms.ChoiceField(
        label="How do they work with you?",
        choices=[(g.value, g.label) for g in RaterGroup.nominable()],
        widget=forms.RadioSelect,
        help_text="A line manager's ratings are shown as theirs. Everyone else's are anonymous.",
        error_messages={
            "required": "Select how they work with you.",
            "invalid_choice": "Select how they work with you.",
        },
    )

    def __init__(self, *args, submit_label="Add rater", leader_name=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        if leader_name:  # a programme admin, nominating for a leader
            question = f"How do they work with {leader_name}?"
            self.fields["rater_group"].label = question
            self.fields["rater_group"].error_messages["required"] = (
                f"Select how they work with {leader_name}."
            )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label))

    def clean_name(self):
        name = self.cleaned_data["name"]
        if problem := name_problem(name):
            raise forms.ValidationError(problem)
        return " ".join(name.split())
