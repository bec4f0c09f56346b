from django.urls import path

from .views import ConsentListView, ContactEraseView, ContactExportView, LeadEraseView, LeadExportView

urlpatterns = [
    path("consent/", ConsentListView.as_view(), name="api-consent-list"),
    path("leads/<int:pk>/export/", LeadExportView.as_view(), name="api-lead-export"),
    path("leads/<int:pk>/erase/", LeadEraseView.as_view(), name="api-lead-erase"),
    path("contacts/<int:pk>/export/", ContactExportView.as_view(), name="api-contact-export"),
    path("contacts/<int:pk>/erase/", ContactEraseView.as_view(), name="api-contact-erase"),
]
