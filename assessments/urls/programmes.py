from django.urls import path

from ..views import programmes as views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_new, name="new"),
    path("<int:pk>/", views.programme_detail, name="detail"),
    path("<int:pk>/edit/", views.programme_edit, name="edit"),
    path("<int:pk>/leaders/add/", views.leader_add, name="leader_add"),
    path("<int:pk>/close/", views.programme_close_now, name="close"),
    path("<int:pk>/reopen/", views.programme_reopen_view, name="reopen"),
    path("<int:pk>/follow-up/", views.programme_follow_up, name="follow_up"),
]
