from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from .views import EnrolmentActionView, LeadEnrolmentsView, SequenceViewSet

router = SimpleRouter()
router.register("sequences", SequenceViewSet, basename="api-sequence")

urlpatterns = [
    path("leads/<int:pk>/enrolments/", LeadEnrolmentsView.as_view(), name="api-lead-enrolments"),
    re_path(
        r"^enrolments/(?P<pk>\d+)/(?P<action>pause|resume|remove)/$",
        EnrolmentActionView.as_view(),
        name="api-enrolment-action",
    ),
    *router.urls,
]
