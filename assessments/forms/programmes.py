"""Forms for programme admins: a programme's settings and adding one leader."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.validators import validate_email

from accounts.models import User
from framework.models import Framework
from nhsuk.fields import DateTimePartsField

from ..models import DEFAULT_NOMINATION_RULES, MINIMUM_ANONYMITY_THRESHOLD, Programme, RaterGroup

# What each field's error says when it is left empty: which field, and what to enter.
REQUIRED_MESSAGES = {
    "name": "Enter a name for the programme",
    "framework": "Choose the framework leaders are assessed against",
    "anonymity_threshold": "Enter the anonymity threshold: a whole number, 3 or more",
    "minimum_raters": "Enter the fewest raters each leader must nominate in total, like 5",
    "release_mode": "Choose when leaders can read their reports",
    "retention_days": "Enter how many days to keep raw ratings after release, like 365",
}


def _number_messages(field: forms.Field, what: str) -> None:
    """Errors of a whole-number field that name it: "<what> must be 0 or more"."""
    field.error_messages.update(
        {
            "invalid": f"Enter {what.lower()} as a whole number",
            "min_value": f"{what} must be %(limit_value)s or more",
            "max_value": f"{what} must be %(limit_value)s or fewer",
        }
    )


class ProgrammeForm(forms.ModelForm):
    """The programme's settings, with its nomination rules as min/max pairs per group."""

    opens_at = DateTimePartsField(label="Opens", subject="the programme opens")
    closes_at = DateTimePartsField(
        label="Closes",
        subject="the programme closes",
        help_text="For example, 9 2 2027 and 17:00. UK time, 24-hour clock. "
        "Raters cannot submit after this.",
    )
    reminder_days = forms.CharField(
        label="Reminder days",
        help_text="Days before the close on which raters who have not finished are reminded, "
        "separated by commas. For example: 7, 3, 1",
        required=False,
    )

    class Meta:
        model = Programme
        fields = [
            "name",
            "framework",
            "opens_at",
            "closes_at",
            "anonymity_threshold",
            "minimum_raters",
            "release_mode",
            "nominations_need_approval",
            "reminder_days",
            "retention_days",
        ]
        labels = {
            "name": "Programme name",
            "opens_at": "Opens",
            "closes_at": "Closes",
            "anonymity_threshold": "Anonymity threshold",
            "minimum_raters": "Fewest raters in total",
            "nominations_need_approval": "A facilitator approves nominations before "
            "invitations are sent",
            "retention_days": "Keep raw ratings for this many days after release",
        }
        help_texts = {
            "anonymity_threshold": "A rater group other than the line manager is shown on its "
            "own only with at least this many responses. 3 or more.",
        }

    def __init__(self, *args, rules=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = Framework.objects.order_by("slug", "-version")
        self.fields["framework"].empty_label = None
        self.fields["anonymity_threshold"].min_value = MINIMUM_ANONYMITY_THRESHOLD
        self.fields["anonymity_threshold"].widget.attrs["min"] = MINIMUM_ANONYMITY_THRESHOLD
        if self.instance.pk and self.instance.threshold_fixed_at:
            k = self.fields["anonymity_threshold"]
            k.disabled = True
            k.help_text = (
                f"Fixed at {self.instance.anonymity_threshold}: raters were invited with the "
                "promise that smaller groups are never shown on their own."
            )
        for name, message in REQUIRED_MESSAGES.items():
            self.fields[name].error_messages["required"] = message
        self.fields["framework"].error_messages["invalid_choice"] = (
            "Choose one of the frameworks listed"
        )
        _number_messages(self.fields["anonymity_threshold"], "The anonymity threshold")
        _number_messages(self.fields["minimum_raters"], "The fewest raters in total")
        _number_messages(self.fields["retention_days"], "The days to keep raw ratings")
        if self.instance.pk:
            self.initial["reminder_days"] = ", ".join(map(str, self.instance.reminder_days))
        else:
            self.initial["reminder_days"] = "7, 3, 1"
        rules = rules or {g: DEFAULT_NOMINATION_RULES[g] for g in RaterGroup.nominable()}
        for group in RaterGroup.nominable():
            low, high = rules.get(group, DEFAULT_NOMINATION_RULES[group])
            label = group.label.split(" (")[0]
            for end, word, value in (("min", "fewest", low), ("max", "most", high)):
                field = forms.IntegerField(
                    label=f"{label}: {word}", min_value=0, max_value=50, initial=value
                )
                what = f"The {word} {label.lower()} raters"
                field.error_messages["required"] = (
                    f"Enter the {word} {label.lower()} raters a leader may nominate, like {value}"
                )
                _number_messages(field, what)
                self.fields[f"{group.value}_{end}"] = field
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save programme"))

    def clean_reminder_days(self):
        raw = self.cleaned_data.get("reminder_days") or ""
        days = []
        for part in raw.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or not 0 < int(part) <= 365:
                raise forms.ValidationError(
                    "Enter whole numbers of days between 1 and 365, separated by commas."
                )
            days.append(int(part))
        return sorted(set(days), reverse=True)

    def clean(self):
        cleaned = super().clean()
        for group in RaterGroup.nominable():
            low = cleaned.get(f"{group.value}_min")
            high = cleaned.get(f"{group.value}_max")
            if low is not None and high is not None and low > high:
                self.add_error(
                    f"{group.value}_min",
                    f"The fewest {group.label.split(' (')[0].lower()} raters cannot be more "
                    "than the most.",
                )
        return cleaned

    def nomination_rules(self) -> dict:
        return {
            group: (
                self.cleaned_data[f"{group.value}_min"],
                self.cleaned_data[f"{group.value}_max"],
            )
            for group in RaterGroup.nominable()
        }


class LeaderAddForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(label="Email address", max_length=254)
    facilitator = forms.ModelChoiceField(
        label="Facilitator",
        queryset=User.objects.none(),
        required=False,
        help_text="Optional. Only the programme's facilitators are listed.",
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.fields["facilitator"].queryset = programme.facilitators.all()
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.helper = FormHelper()
        self.helper.add_input(Submit("add", "Add leader"))

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        validate_email(email)
        if self.programme.assessments.filter(leader__email__iexact=email).exists():
            raise forms.ValidationError("This person is already a leader in this programme.")
        return email


class LeaderFilterForm(forms.Form):
    """Filters for the programme dashboard; read from the query string, never an error."""

    q = forms.CharField(label="Name or email", required=False, max_length=200)
    self_state = forms.ChoiceField(
        label="Self-assessment",
        required=False,
        choices=[
            ("", "Any"),
            ("submitted", "Submitted"),
            ("in_progress", "In progress"),
            ("not_started", "Not started"),
        ],
    )
    nominations = forms.ChoiceField(
        label="Nominations",
        required=False,
        choices=[("", "Any"), ("complete", "Complete"), ("incomplete", "Incomplete")],
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            ("name", "Name (A to Z)"),
            ("-name", "Name (Z to A)"),
            ("responses", "Fewest responses first"),
            ("-responses", "Most responses first"),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(Submit("", "Apply filters"))

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {
            "query": self.cleaned_data["q"].strip(),
            "self_state": self.cleaned_data["self_state"],
            "nominations": self.cleaned_data["nominations"],
            "sort": self.cleaned_data["sort"] or "name",
        }


class ProgrammeReopenForm(forms.Form):
    """Reopen a closed programme: a new closing time and the reason, for the audit log."""

    closes_at = DateTimePartsField(
        label="New closing time",
        subject="the programme closes again",
        help_text="UK time. Raters who have not submitted can do so until then.",
    )
    reason = forms.CharField(
        label="Why is the programme being reopened?",
        help_text="This is recorded in the programme's audit log.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Enter why the programme is being reopened"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("reopen", "Reopen the programme"))


class FollowUpForm(forms.Form):
    """A follow-up of a closed programme: its name and window (everything else is copied)."""

    name = forms.CharField(
        label="Name of the follow-up programme",
        max_length=200,
        error_messages={"required": "Enter a name for the follow-up programme"},
    )
    opens_at = DateTimePartsField(label="Opens", subject="the follow-up opens")
    closes_at = DateTimePartsField(
        label="Closes",
        subject="the follow-up closes",
        help_text="UK time, 24-hour clock. Raters cannot submit after this.",
    )

    def __init__(self, *args, earlier=None, **kwargs):
        super().__init__(*args, **kwargs)
        if earlier is not None and not self.is_bound:
            self.initial["name"] = f"{earlier.name} (follow-up)"
        self.helper = FormHelper()
        self.helper.add_input(Submit("create", "Create the follow-up"))

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "The close date must be after the open date.")
        return data
