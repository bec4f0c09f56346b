from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    DuplicateJobViewSet,
    DuplicateRuleEntryViewSet,
    DuplicateRuleViewSet,
    LeadDuplicatesView,
    LeadMergeView,
    MatchingRuleViewSet,
    MergeViewSet,
)

router = SimpleRouter()
router.register("matching-rules", MatchingRuleViewSet, basename="api-matching-rule")
router.register("duplicate-rules", DuplicateRuleViewSet, basename="api-duplicate-rule")
router.register("duplicate-rule-entries", DuplicateRuleEntryViewSet, basename="api-duplicate-rule-entry")
router.register("duplicate-jobs", DuplicateJobViewSet, basename="api-duplicate-job")
router.register("merges", MergeViewSet, basename="api-merge")

urlpatterns = [
    path("leads/merge/", LeadMergeView.as_view(), name="api-lead-merge"),
    path("leads/<int:pk>/duplicates/", LeadDuplicatesView.as_view(), name="api-lead-duplicates"),
    *router.urls,
]
