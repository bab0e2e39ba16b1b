"""Cohort exports of a programme, for its admins: included under /programmes/."""

from django.urls import path

from . import export_views as views

app_name = "exports"

urlpatterns = [
    path("<int:pk>/exports/", views.export_list, name="list"),
    path("<int:pk>/exports/new/", views.export_request, name="request"),
    path("<int:pk>/exports/<int:export_pk>/download/", views.export_download, name="download"),
]
