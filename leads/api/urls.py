from django.urls import path
from rest_framework.routers import SimpleRouter

from ..imports.api import LeadImportTemplateViewSet, LeadImportViewSet
from ..listviews.api import LeadExportView, ListViewViewSet
from ..processes.api import LeadRecordTypeViewSet
from ..routing.api import LeadAcceptView, QueueViewSet
from .views import LeadViewSet

router = SimpleRouter()
router.register("leads", LeadViewSet, basename="api-lead")
router.register("queues", QueueViewSet, basename="api-queue")
router.register("lead-record-types", LeadRecordTypeViewSet, basename="api-lead-record-type")
router.register("lead-imports", LeadImportViewSet, basename="api-lead-import")
router.register("lead-import-templates", LeadImportTemplateViewSet, basename="api-lead-import-template")
router.register("list-views", ListViewViewSet, basename="api-list-view")

# Accepting a queued lead and the export come before the leads router's routes.
urlpatterns = [
    path("leads/<int:pk>/accept/", LeadAcceptView.as_view(), name="api-lead-accept"),
    path("leads/export.csv", LeadExportView.as_view(), name="api-lead-export"),
    *router.urls,
]
