from rest_framework.routers import SimpleRouter

from .views import CallViewSet, EventViewSet, TaskViewSet

router = SimpleRouter()
router.register("tasks", TaskViewSet, basename="api-task")
router.register("events", EventViewSet, basename="api-event")
router.register("calls", CallViewSet, basename="api-call")

urlpatterns = [*router.urls]
