from django.urls import path

from .views import ReportExportView, ReportListView, ReportPreviewView, ReportRunView

urlpatterns = [
    path("reports/", ReportListView.as_view(), name="api-report-list"),
    path("reports/preview/", ReportPreviewView.as_view(), name="api-report-preview"),
    path("reports/<slug:key>/run/", ReportRunView.as_view(), name="api-report-run"),
    path("reports/<slug:key>/export.csv", ReportExportView.as_view(), name="api-report-export"),
]
