from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard_list, name="list"),
    path("new/", views.dashboard_create, name="create"),
    path("<int:pk>/", views.dashboard_detail, name="detail"),
    path("<int:pk>/edit/", views.dashboard_edit, name="edit"),
    path("<int:pk>/delete/", views.dashboard_delete, name="delete"),
    path("<int:pk>/pick/", views.dashboard_pick, name="pick"),
    path("<int:pk>/components/", views.edit_components, name="edit_components"),
    path("<int:pk>/components/<int:component_pk>/", views.component_view, name="component"),
    path("<int:pk>/components/<int:component_pk>/edit/", views.edit_components, name="component_edit"),
    path("<int:pk>/components/<int:component_pk>/delete/", views.component_delete, name="component_delete"),
]
