from axes.utils import reset as axes_reset
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms

from config.throttle import throttle_hit


class _NHSFormMixin:
    submit_label = "Continue"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


def login_username(request, credentials) -> str:
    """The account a sign-in attempt is for, as django-axes counts failures against it.

    Email addresses sign in whatever their case (``UserManager.get_by_natural_key``), so
    they are counted the same way: otherwise ``Alex@…`` and ``alex@…`` would each get their
    own five tries.
    """
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    return (username or "").strip().lower()


class LoginForm(_NHSFormMixin, auth_forms.AuthenticationForm):
    submit_label = "Sign in"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"
        self.error_messages["invalid_login"] = (
            "Enter a correct email address and password. The password is case-sensitive."
        )


class PasswordResetRequestForm(_NHSFormMixin, auth_forms.PasswordResetForm):
    """Asking for a password link: the same answer, and the same work, for every address.

    Whether or not the address has an account, one row goes into the outbox and the
    same page follows: neither the page nor the time it takes says which. A row for an
    address without an account is never sent; the outbox marks it failed ("Not sent").
    Each address asked for gets at most PASSWORD_RESET_EMAIL_LIMIT rows an hour, counted
    alike for known and unknown addresses (the per-connection limit is in the view).
    """

    submit_label = "Send me a link"

    def save(self, *, request=None, **kwargs):
        from .emails import email_queue

        email = self.cleaned_data["email"].strip()
        if password_reset_email_limited(email):
            return
        user = next(iter(self.get_users(email)), None)
        email_queue(
            kind="password_reset",
            to=user.email if user else email,
            context={"user_id": user.pk if user else None},
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})


def password_reset_email_limited(email: str) -> bool:
    """Count one request for this address; True once it is past the hourly limit."""
    limit = settings.PASSWORD_RESET_EMAIL_LIMIT
    count = throttle_hit(scope="password-reset-email", subject=email.lower(), window_seconds=3600)
    return count > limit


class SetPasswordForm(_NHSFormMixin, auth_forms.SetPasswordForm):
    """Setting a password proves the person reads the account's mailbox, so it also lifts
    a sign-in lockout (django-axes) for the account at once."""

    submit_label = "Save password"

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            axes_reset(username=login_username(None, {"username": user.email}))
        return user

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        # A hidden username helps password managers store the new password against it.
        self.fields["new_password1"].widget.attrs["autocomplete"] = "new-password"
        self.fields["new_password2"].widget.attrs["autocomplete"] = "new-password"
