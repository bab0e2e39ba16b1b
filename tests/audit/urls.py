"""The site's URLs, plus the audit log and erasure areas while config/urls.py does not mount
them yet (and the reports and exports, for the same reason)."""

from django.urls import include, path

from config.urls import handler500  # noqa: F401 (the site's 500 page here too)
from config.urls import urlpatterns as site_urlpatterns

_mounted = {getattr(p, "namespace", None) for p in site_urlpatterns}
_areas = [
    ("audit", "programmes/", "assessments.urls.audit"),
    ("erasure", "programmes/", "assessments.urls.erasure"),
    ("exports", "programmes/", "reports.export_urls"),
    ("reports", "reports/", "reports.urls"),
]

urlpatterns = [
    *[path(prefix, include(module)) for name, prefix, module in _areas if name not in _mounted],
    *site_urlpatterns,
]
