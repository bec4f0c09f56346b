from django.urls import path

from .views import LeadBulkConvertView, LeadConvertView

urlpatterns = [
    path("leads/convert/", LeadBulkConvertView.as_view(), name="api-lead-convert-bulk"),
    path("leads/<int:pk>/convert/", LeadConvertView.as_view(), name="api-lead-convert"),
]
