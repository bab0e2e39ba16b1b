from django.contrib import admin
from django.urls import include, path

from config import pages
from config import views as site_views

# With password sign-in off, the admin's password form would be a dead end: the site's
# sign-in page (single sign-on) answers instead. Set before admin.site.urls is read below.
setattr(admin.site, "login", site_views.admin_login)  # noqa: B010  (mypy: a method, replaced)

urlpatterns = [
    path("", site_views.home, name="home"),
    path("framework/", include("framework.urls")),
    # What every NHS service publishes, linked from every page's footer.
    path("accessibility/", pages.accessibility, name="accessibility"),
    path("privacy/", pages.privacy, name="privacy"),
    path("cookies/", pages.cookies, name="cookies"),
    path("accounts/", include("accounts.urls")),
    # Leaders, signed in: their assessments, nominations and progress; the self-assessment.
    path("my/", include("assessments.urls.leader")),
    path("my/", include("assessments.urls.self_assessment")),
    # Raters, with no account: the emailed link and the rating form.
    path("feedback/", include("assessments.urls.rater")),
    # Programme admins and facilitators.
    path("programmes/", include("assessments.urls.programmes")),
    path("programmes/", include("assessments.urls.invitations")),
    path("programmes/", include("assessments.urls.imports")),
    path("programmes/", include("reports.export_urls")),
    path("programmes/", include("assessments.urls.audit")),
    path("programmes/", include("assessments.urls.erasure")),
    path("reports/", include("reports.urls")),
    path("development/", include("development.urls")),
    path("admin/", admin.site.urls),
]

# No URL serves MEDIA_ROOT, not even with DEBUG on: reports and exports are people's
# feedback, and are served only by views that check who is asking.

# A 500 shows a short reference that is also in the log line (config.views.server_error).
handler500 = site_views.server_error

admin.site.site_header = "LPC 360 administration"
admin.site.site_title = "LPC 360"
