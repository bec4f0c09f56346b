from rest_framework.routers import SimpleRouter

from .views import ListEmailViewSet

router = SimpleRouter()
router.register("list-emails", ListEmailViewSet, basename="api-list-email")

urlpatterns = [*router.urls]
