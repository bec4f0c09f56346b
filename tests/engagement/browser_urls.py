"""The app's URLs plus a landing page of "the company's website" carrying the tracking script and
a generated Web-to-Lead form, for the browser test."""

from django.http import HttpResponse
from django.urls import path

from leadcrm.urls import urlpatterns as app_urlpatterns
from webtolead.generator import form_html
from webtolead.models import WebToLeadForm


def landing(request, name: str):
    base = request.build_absolute_uri("/").rstrip("/")
    form = WebToLeadForm.objects.order_by("id").first()
    html = form_html(form, base_url=base, prefill=True) if form else ""
    return HttpResponse(
        f"<!doctype html><html><head><title>Acme {name}</title>"
        f'<script src="{base}/t/track.js" async></script></head>'
        f"<body><h1>Acme {name}</h1>{html}</body></html>"
    )


urlpatterns = [path("site/<str:name>/", landing), *app_urlpatterns]
