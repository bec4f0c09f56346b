from rest_framework.routers import SimpleRouter

from .views import LeadViewSet

router = SimpleRouter()
router.register("leads", LeadViewSet, basename="api-lead")

urlpatterns = [*router.urls]
