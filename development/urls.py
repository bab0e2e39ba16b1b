"""Debriefs and development plans: a leader's under /development/, a facilitator's under
/development/facilitator/, a programme admin's overview under /development/staff/."""

from django.urls import path

from . import views

app_name = "development"

urlpatterns = [
    path("<int:assessment_pk>/debrief/", views.leader_debrief, name="leader_debrief"),
    path("<int:assessment_pk>/plan/", views.leader_plan, name="leader_plan"),
    path("<int:assessment_pk>/plan/download/", views.leader_plan_pdf, name="leader_plan_pdf"),
    path(
        "facilitator/<int:assessment_pk>/debrief/",
        views.facilitator_debrief,
        name="facilitator_debrief",
    ),
    path(
        "facilitator/<int:assessment_pk>/plan/",
        views.facilitator_plan,
        name="facilitator_plan",
    ),
    path(
        "facilitator/<int:assessment_pk>/plan/download/",
        views.facilitator_plan_pdf,
        name="facilitator_plan_pdf",
    ),
    path(
        "staff/programmes/<int:programme_pk>/plans/",
        views.programme_plans,
        name="programme_plans",
    ),
]
