"""The REST API under /api/. Conversion comes before leads: /api/leads/convert/ is its route."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up code as a script file: no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("core.api.urls")),
    path("", include("conversion.api.urls")),
    # Before leads: /api/leads/{id}/export/ and /erase/ are consent's routes.
    path("", include("consent.api.urls")),
    # Before leads: /api/leads/{id}/enrolments/ is nurture's route.
    path("", include("nurture.api.urls")),
    # Before leads: /api/leads/merge/ and /api/leads/{id}/duplicates/ are duplicate management's routes.
    path("", include("dedupe.api.urls")),
    path("", include("leads.api.urls")),
    path("", include("sales.api.urls")),
    path("", include("emails.api.urls")),
    path("", include("webtolead.api.urls")),
    path("", include("campaigns.api.urls")),
    path("", include("listemail.api.urls")),
    path("", include("engagement.api.urls")),
    path("", include("scoring.api.urls")),
    path("", include("activities.api.urls")),
    path("", include("search.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("dashboards.api.urls")),
    path("", include("sla.api.urls")),
    path("", include("users.api.urls")),
    path("", include("webhooks.api.urls")),
    path("", include("bulk.api.urls")),
]
