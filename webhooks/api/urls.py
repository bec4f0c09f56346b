from rest_framework.routers import SimpleRouter

from .views import WebhookDeliveryViewSet, WebhookEndpointViewSet

router = SimpleRouter()
router.register("webhooks", WebhookEndpointViewSet, basename="api-webhook")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="api-webhook-delivery")

urlpatterns = router.urls
