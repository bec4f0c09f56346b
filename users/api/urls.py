from rest_framework.routers import SimpleRouter

from .views import PermissionSetViewSet, UserViewSet

router = SimpleRouter()
router.register("users", UserViewSet, basename="api-user")
router.register("permission-sets", PermissionSetViewSet, basename="api-permission-set")

urlpatterns = router.urls
