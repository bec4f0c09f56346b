from rest_framework.routers import SimpleRouter

from .views import BusinessHoursViewSet, LeadSlaViewSet, SlaPolicyViewSet

router = SimpleRouter()
router.register("business-hours", BusinessHoursViewSet, basename="api-business-hours")
router.register("sla-policies", SlaPolicyViewSet, basename="api-sla-policy")
router.register("lead-slas", LeadSlaViewSet, basename="api-lead-sla")

urlpatterns = router.urls
