from django.urls import path

from . import views

app_name = "framework"

urlpatterns = [
    path("", views.framework_detail, name="current"),
    path("<slug:slug>/<str:version>/", views.framework_detail, name="detail"),
]
