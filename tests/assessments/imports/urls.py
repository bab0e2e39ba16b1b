"""The site's URLs plus leader import and staff pages, until config/urls.py mounts them."""

from django.urls import include, path

from config.urls import urlpatterns as site_urlpatterns

mounted = any(getattr(p, "namespace", None) == "imports" for p in site_urlpatterns)

urlpatterns = [
    *([] if mounted else [path("programmes/", include("assessments.urls.imports"))]),
    *site_urlpatterns,
]
