from django.urls import path

from . import views

# Included by leads.urls (namespace "leads").
urlpatterns = [
    path("export.csv", views.lead_list_export_view, name="export"),
    path("list-views/new/", views.list_view_create_view, name="list_view_create"),
    path("list-views/<int:pk>/edit/", views.list_view_update_view, name="list_view_update"),
    path("list-views/<int:pk>/clone/", views.list_view_clone_view, name="list_view_clone"),
    path("list-views/<int:pk>/delete/", views.list_view_delete_view, name="list_view_delete"),
]
