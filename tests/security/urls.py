"""The site's URLs, plus the areas whose include config/urls.py does not have yet (leader
import and staff, reports, exports), so the URL-by-role matrix covers every page."""

from django.urls import include, path

from config.urls import handler500  # noqa: F401 (the site's 500 page here too)
from config.urls import urlpatterns as site_urlpatterns

_mounted = {getattr(p, "namespace", None) for p in site_urlpatterns}

urlpatterns = [
    *([] if "imports" in _mounted else [path("programmes/", include("assessments.urls.imports"))]),
    *([] if "exports" in _mounted else [path("programmes/", include("reports.export_urls"))]),
    *([] if "reports" in _mounted else [path("reports/", include("reports.urls"))]),
    *site_urlpatterns,
]
