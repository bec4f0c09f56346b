from django.urls import path

from . import rule_views, views

urlpatterns = [
    path("", views.sequence_list_view, name="list"),
    path("new/", views.sequence_create_view, name="create"),
    path("enrol-leads/", views.enrol_leads_view, name="enrol_leads"),
    path("enrol-lead/<int:lead_pk>/", views.lead_enrol_view, name="lead_enrol"),
    path("enrolments/<int:pk>/remove/", views.enrolment_remove_view, name="enrolment_remove"),
    path("enrolment-rules/", rule_views.rule_list, name="rule_list"),
    path("enrolment-rules/new/", rule_views.rule_create, name="rule_create"),
    path("enrolment-rules/<int:pk>/", rule_views.rule_detail, name="rule_detail"),
    path("enrolment-rules/<int:pk>/edit/", rule_views.rule_edit, name="rule_edit"),
    path("enrolment-rules/<int:pk>/activate/", rule_views.rule_activate, name="rule_activate"),
    path("enrolment-rules/<int:pk>/delete/", rule_views.rule_delete, name="rule_delete"),
    path("enrolment-rules/<int:pk>/entries/new/", rule_views.entry_create, name="entry_create"),
    path("enrolment-rules/entries/<int:pk>/", rule_views.entry_edit, name="entry_edit"),
    path("enrolment-rules/entries/<int:pk>/move/", rule_views.entry_move, name="entry_move"),
    path("enrolment-rules/entries/<int:pk>/delete/", rule_views.entry_delete, name="entry_delete"),
    path("<int:pk>/", views.sequence_detail_view, name="detail"),
    path("<int:pk>/edit/", views.sequence_edit_view, name="edit"),
    path("<int:pk>/status/", views.sequence_status_view, name="status"),
    path("<int:pk>/delete/", views.sequence_delete_view, name="delete"),
    path("<int:pk>/steps/", views.sequence_builder_view, name="builder"),
    path("<int:pk>/steps/<int:step_pk>/", views.step_edit_view, name="step_edit"),
    path("<int:pk>/steps/<int:step_pk>/move/", views.step_move_view, name="step_move"),
    path("<int:pk>/steps/<int:step_pk>/delete/", views.step_delete_view, name="step_delete"),
]
