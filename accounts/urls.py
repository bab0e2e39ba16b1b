from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from .forms import LoginForm, PasswordResetRequestForm, SetPasswordForm
from .oidc import CallbackView, StartView
from .views import PasswordResetRequestView, SignInView, demo_mailbox, password_pages

app_name = "accounts"

urlpatterns = [
    # Only with DEBUG on and email going nowhere (the quick start); a 404 anywhere else.
    path("demo-mailbox/", demo_mailbox, name="demo_mailbox"),
    path(
        "login/",
        SignInView.as_view(
            template_name="accounts/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    # Single sign-on (accounts/oidc.py): 404 unless it is set up.
    path("oidc/start/", StartView.as_view(), name="oidc_start"),
    path("oidc/callback/", CallbackView.as_view(), name="oidc_callback"),
    path(
        "logout/",
        auth_views.LogoutView.as_view(template_name="accounts/logged_out.html"),
        name="logout",
    ),
    path(
        "password-reset/",
        password_pages(
            PasswordResetRequestView.as_view(
                template_name="accounts/password_reset_form.html",
                form_class=PasswordResetRequestForm,
                email_template_name="emails/password_reset.txt",
                html_email_template_name="emails/password_reset.html",
                subject_template_name="emails/password_reset_subject.txt",
                success_url=reverse_lazy("accounts:password_reset_done"),
            )
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        password_pages(
            auth_views.PasswordResetDoneView.as_view(
                template_name="accounts/password_reset_done.html"
            )
        ),
        name="password_reset_done",
    ),
    path(
        "set-password/<uidb64>/<token>/",
        password_pages(
            auth_views.PasswordResetConfirmView.as_view(
                template_name="accounts/password_reset_confirm.html",
                form_class=SetPasswordForm,
                success_url=reverse_lazy("accounts:password_reset_complete"),
            ),
            account_link=True,
        ),
        name="password_reset_confirm",
    ),
    path(
        "set-password/done/",
        password_pages(
            auth_views.PasswordResetCompleteView.as_view(
                template_name="accounts/password_reset_complete.html"
            ),
            account_link=True,
        ),
        name="password_reset_complete",
    ),
]
