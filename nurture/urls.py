from django.urls import path

from . import views

urlpatterns = [
    path("", views.sequence_list_view, name="list"),
    path("new/", views.sequence_create_view, name="create"),
    path("enrol-leads/", views.enrol_leads_view, name="enrol_leads"),
    path("enrol-lead/<int:lead_pk>/", views.lead_enrol_view, name="lead_enrol"),
    path("enrolments/<int:pk>/remove/", views.enrolment_remove_view, name="enrolment_remove"),
    path("<int:pk>/", views.sequence_detail_view, name="detail"),
    path("<int:pk>/edit/", views.sequence_edit_view, name="edit"),
    path("<int:pk>/status/", views.sequence_status_view, name="status"),
    path("<int:pk>/delete/", views.sequence_delete_view, name="delete"),
    path("<int:pk>/steps/", views.sequence_builder_view, name="builder"),
    path("<int:pk>/steps/<int:step_pk>/", views.step_edit_view, name="step_edit"),
    path("<int:pk>/steps/<int:step_pk>/move/", views.step_move_view, name="step_move"),
    path("<int:pk>/steps/<int:step_pk>/delete/", views.step_delete_view, name="step_delete"),
]
