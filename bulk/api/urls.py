from rest_framework.routers import SimpleRouter

from .views import IngestJobViewSet, QueryJobViewSet

router = SimpleRouter()
router.register("bulk/jobs", IngestJobViewSet, basename="bulk-job")
router.register("bulk/query-jobs", QueryJobViewSet, basename="bulk-query-job")

urlpatterns = router.urls
