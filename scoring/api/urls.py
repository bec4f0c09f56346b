from django.urls import path

from .alerts import AlertRuleDetailView, AlertRuleListView
from .views import PROGRESSION, VELOCITY, LeadScoreView, ScoringModelDetailView, ScoringModelListView

urlpatterns = [
    path("alert-rules/", AlertRuleListView.as_view(), name="api-alert-rule-list"),
    path("alert-rules/<int:pk>/", AlertRuleDetailView.as_view(), name="api-alert-rule-detail"),
    path("scoring-models/", ScoringModelListView.as_view(), name="api-scoring-model-list"),
    path("scoring-models/<int:pk>/", ScoringModelDetailView.as_view(), name="api-scoring-model-detail"),
    path("leads/<int:pk>/score/", LeadScoreView.as_view(), name="api-lead-score"),
    path("scoring-models/<int:pk>/velocity-rules/", VELOCITY.list_view().as_view(), name="api-velocity-rule-list"),
    path(
        "scoring-models/<int:pk>/velocity-rules/<int:rule_pk>/",
        VELOCITY.detail_view().as_view(),
        name="api-velocity-rule-detail",
    ),
    path(
        "scoring-models/<int:pk>/progression-rules/",
        PROGRESSION.list_view().as_view(),
        name="api-progression-rule-list",
    ),
    path(
        "scoring-models/<int:pk>/progression-rules/<int:rule_pk>/",
        PROGRESSION.detail_view().as_view(),
        name="api-progression-rule-detail",
    ),
]
