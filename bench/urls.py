"""The site's URLs plus the benchmark's baseline pages."""

from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/baseline/", views.baseline, name="bench_baseline"),
    path("bench/layout/", views.layout, name="bench_layout"),
    path("", include("config.urls")),
]
