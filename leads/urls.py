from django.urls import include, path

from . import email_views, kanban, views
from .imports import views as import_views

urlpatterns = [
    path("", views.lead_list_view, name="list"),
    path("columns/", views.lead_list_columns_view, name="list_columns"),
    path("kanban/", kanban.lead_kanban_view, name="kanban"),
    path("kanban/move/", kanban.lead_kanban_move, name="kanban_move"),
    path("mass-action/", views.lead_mass_action, name="mass_action"),
    path("new/", views.lead_create_view, name="create"),
    path("<int:pk>/", views.lead_detail_view, name="detail"),
    path("<int:pk>/edit/", views.lead_edit_view, name="edit"),
    path("<int:pk>/edit/<str:field>/", views.lead_inline_edit, name="inline_edit"),
    path("<int:pk>/status/", views.lead_set_status, name="set_status"),
    path("<int:pk>/notes/", views.lead_note_create_view, name="note_create"),
    path("<int:pk>/change-owner/", views.lead_change_owner_view, name="change_owner"),
    path("<int:pk>/delete/", views.lead_delete_view, name="delete"),
    path("<int:pk>/send-email/", email_views.lead_send_email, name="send_email"),
    path("<int:pk>/send-email/preview/", email_views.lead_send_email_preview, name="send_email_preview"),
    path("<int:pk>/emails/", email_views.lead_emails, name="emails"),
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/new/", import_views.import_create, name="import_create"),
    path("imports/sample.csv", import_views.import_sample_csv, name="import_sample"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/errors.csv", import_views.import_errors_csv, name="import_errors"),
    path("imports/<int:pk>/cancel/", import_views.import_cancel, name="import_cancel"),
    path("imports/<int:pk>/undo/", import_views.import_undo, name="import_undo"),
    path("", include("leads.routing.urls")),
    path("", include("leads.listviews.urls")),
    path("", include("leads.processes.urls")),
]
