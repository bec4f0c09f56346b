from django.urls import path

from .views import LeadScoreView, ScoringModelDetailView, ScoringModelListView

urlpatterns = [
    path("scoring-models/", ScoringModelListView.as_view(), name="api-scoring-model-list"),
    path("scoring-models/<int:pk>/", ScoringModelDetailView.as_view(), name="api-scoring-model-detail"),
    path("leads/<int:pk>/score/", LeadScoreView.as_view(), name="api-lead-score"),
]
