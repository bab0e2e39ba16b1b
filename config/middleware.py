"""Response headers Django does not set by itself, the health check, the page shown
when the database is unreachable, and the NHS.UK 404 page with DEBUG on."""

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import render

from config.views import DATABASE_UNAVAILABLE, database_unavailable

# Scripts and styles come only from our own static files: no inline script anywhere. The
# Django admin works under it unchanged (tests/security/test_headers_browser.py).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Adds the content security policy, and no-store for signed-in pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if _signed_in(request):
            response["Cache-Control"] = "no-store"
        return response


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    try:
        return user is not None and user.is_authenticated
    except DatabaseError:  # the session could not be read: assume the page is personal
        return True


class DatabaseUnavailableMiddleware:
    """A view that loses its database connection gets a 503 "try again" page, not a 500.

    Every write runs in a transaction, which the lost connection rolls back, so what the
    person had saved before is intact. (Errors outside views reach ``handler500``, which
    answers the same way.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_UNAVAILABLE):
            exc_info = (type(exception), exception, exception.__traceback__)
            return database_unavailable(request, exc_info)
        return None


class HealthCheckMiddleware:
    """Answers /healthz before host validation and HTTPS redirects, for container probes.

    It says only whether the database answers; nothing about the request is used.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != "/healthz":
            return self.get_response(request)
        from django.db import connection
        from django.http import HttpResponse

        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception:  # any database failure means "not healthy"
            return HttpResponse("database unavailable", status=503, content_type="text/plain")
        return HttpResponse("ok", content_type="text/plain")


class NotFoundPageMiddleware:
    """With DEBUG on (the quick start), a page that does not exist shows the NHS.UK "Page
    not found", as it does in production, instead of Django's debug page (which lists every
    URL pattern of the site). With DEBUG off Django already uses templates/404.html."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No view matched the address: Django answered with its debug 404.
        if settings.DEBUG and response.status_code == 404 and request.resolver_match is None:
            return render(request, "404.html", status=404)
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return render(request, "404.html", status=404)
        return None
