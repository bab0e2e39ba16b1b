from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config import views as site_views

urlpatterns = [
    path("", site_views.home, name="home"),
    path("framework/", include("framework.urls")),
    path("accounts/", include("accounts.urls")),
    # Leaders, signed in: their assessments, nominations and progress; the self-assessment.
    path("my/", include("assessments.urls.leader")),
    path("my/", include("assessments.urls.self_assessment")),
    # Raters, with no account: the emailed link and the rating form.
    path("feedback/", include("assessments.urls.rater")),
    # Programme admins and facilitators.
    path("programmes/", include("assessments.urls.programmes")),
    path("programmes/", include("assessments.urls.invitations")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

admin.site.site_header = "LPC 360 administration"
admin.site.site_title = "LPC 360"
