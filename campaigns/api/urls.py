from rest_framework.routers import SimpleRouter

from .views import CampaignViewSet

router = SimpleRouter()
router.register("campaigns", CampaignViewSet, basename="api-campaign")

urlpatterns = [*router.urls]
