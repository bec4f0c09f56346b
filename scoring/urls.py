from django.urls import path

from . import alert_views, views

urlpatterns = [
    path("setup/alert-rules/", alert_views.alert_rule_list, name="alert_rule_list"),
    path("setup/alert-rules/new/", alert_views.alert_rule_edit, name="alert_rule_create"),
    path("setup/alert-rules/<int:pk>/", alert_views.alert_rule_detail, name="alert_rule_detail"),
    path("setup/alert-rules/<int:pk>/edit/", alert_views.alert_rule_edit, name="alert_rule_edit"),
    path("setup/alert-rules/<int:pk>/delete/", alert_views.alert_rule_delete, name="alert_rule_delete"),
    path(
        "setup/scoring-models/<int:pk>/recompute/progress/",
        alert_views.model_recompute_progress,
        name="model_recompute_progress",
    ),
    path("setup/scoring-models/", views.model_list, name="model_list"),
    path("setup/scoring-models/new/", views.model_edit, name="model_create"),
    path("setup/scoring-models/<int:pk>/", views.model_detail, name="model_detail"),
    path("setup/scoring-models/<int:pk>/edit/", views.model_edit, name="model_edit"),
    path("setup/scoring-models/<int:pk>/activate/", views.model_activate, name="model_activate"),
    path("setup/scoring-models/<int:pk>/delete/", views.model_delete, name="model_delete"),
    path("setup/scoring-models/<int:pk>/recompute/", views.model_recompute, name="model_recompute"),
    path("setup/scoring-models/<int:rule_pk>/fit-rules/new/", views.fit_edit, name="fit_create"),
    path("setup/scoring-models/<int:rule_pk>/fit-rules/<int:pk>/", views.fit_edit, name="fit_edit"),
    path("setup/scoring-fit-rules/<int:pk>/move/", views.fit_move, name="fit_move"),
    path("setup/scoring-fit-rules/<int:pk>/delete/", views.fit_delete, name="fit_delete"),
    # A model's behaviour, velocity and status progression rules: one pair of views, the kind named here.
    *(
        route
        for kind in views.MODEL_RULE_KINDS
        for route in (
            path(
                f"setup/scoring-models/<int:model_pk>/{kind}-rules/new/",
                views.model_rule_edit,
                {"kind": kind},
                name=f"{kind}_create",
            ),
            path(
                f"setup/scoring-models/<int:model_pk>/{kind}-rules/<int:pk>/",
                views.model_rule_edit,
                {"kind": kind},
                name=f"{kind}_edit",
            ),
            path(
                f"setup/scoring-{kind}-rules/<int:pk>/delete/",
                views.model_rule_delete,
                {"kind": kind},
                name=f"{kind}_delete",
            ),
        )
    ),
]
