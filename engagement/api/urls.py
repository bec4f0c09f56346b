from django.urls import path

from .views import EngagementEventCreateView, LeadEngagementView

urlpatterns = [
    path("engagement-events/", EngagementEventCreateView.as_view(), name="api-engagement-event-create"),
    path("leads/<int:pk>/engagement/", LeadEngagementView.as_view(), name="api-lead-engagement"),
]
