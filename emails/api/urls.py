from rest_framework.routers import SimpleRouter

from .views import EmailTemplateViewSet, OutboundEmailViewSet

router = SimpleRouter()
router.register("outbox", OutboundEmailViewSet, basename="api-outbox")
router.register("email-templates", EmailTemplateViewSet, basename="api-email-template")

urlpatterns = router.urls
