"""Programme admins: the programme's audit log. Mounted under /programmes/."""

from django.urls import path

from ..views import audit as views

app_name = "audit"

urlpatterns = [
    path("<int:pk>/audit/", views.audit_log, name="log"),
]
