from django.urls import path

from . import views

app_name = "dedupe"

urlpatterns = [
    path("merge/", views.merge, name="merge"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_create, name="rule_create"),
    path("rules/<int:pk>/", views.rule_detail, name="rule_detail"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/activate/", views.rule_activate, name="rule_activate"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("rules/<int:pk>/entries/new/", views.entry_create, name="entry_create"),
    path("rules/entries/<int:pk>/", views.entry_edit, name="entry_edit"),
    path("rules/entries/<int:pk>/move/", views.entry_move, name="entry_move"),
    path("rules/entries/<int:pk>/delete/", views.entry_delete, name="entry_delete"),
    path("matching-rules/new/", views.matching_rule_form, name="matching_rule_create"),
    path("matching-rules/<int:pk>/", views.matching_rule_form, name="matching_rule_edit"),
    path("matching-rules/<int:pk>/delete/", views.matching_rule_delete, name="matching_rule_delete"),
]
