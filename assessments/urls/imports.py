"""Programme admins: importing and removing leaders, the programme's staff, each leader's
facilitator. Mounted under /programmes/."""

from django.urls import path

from ..views import imports, staff

app_name = "imports"

urlpatterns = [
    path("<int:pk>/import/", imports.leader_import, name="upload"),
    path("<int:pk>/import/check/", imports.leader_import_check, name="check"),
    path("<int:pk>/import/<int:import_pk>/", imports.leader_import_progress, name="progress"),
    path("<int:pk>/import/template.csv", imports.leader_import_template, name="template"),
    path(
        "<int:pk>/leaders/<int:assessment_pk>/remove/", imports.leader_remove, name="leader_remove"
    ),
    path(
        "<int:pk>/leaders/<int:assessment_pk>/facilitator/",
        staff.leader_facilitator,
        name="leader_facilitator",
    ),
    path("<int:pk>/staff/", staff.staff, name="staff"),
    path(
        "<int:pk>/staff/<str:role>/<int:user_pk>/remove/", staff.staff_remove, name="staff_remove"
    ),
]
