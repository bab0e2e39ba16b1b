"""The confirmation asked before erasing someone."""

from django import forms


class ErasureConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that this cannot be undone",
        error_messages={"required": "Confirm that you understand this cannot be undone"},
    )
