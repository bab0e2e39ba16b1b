"""Signing in: Django's view, landing each role on its own start page."""

from django.contrib.auth import views as auth_views

from .roles import start_page_url


class SignInView(auth_views.LoginView):
    """A safe ``next`` (checked by Django against ALLOWED_HOSTS) is honoured; otherwise the
    person lands on the start page of their role, not the public home page."""

    def get_default_redirect_url(self):
        return start_page_url(self.request.user)
