from django.urls import path

from . import views

app_name = "engagement"

urlpatterns = [
    path("t/track.js", views.track_js, name="track_js"),
    path("t/events/", views.events, name="events"),
    path("t/o/<str:token>", views.email_open, name="open"),
    path("t/c/<str:token>", views.email_click, name="click"),
    path("leads/<int:pk>/engagement/", views.lead_engagement, name="lead_engagement"),
    path("leads/<int:pk>/engagement/opt-out/", views.lead_tracking_opt_out, name="lead_opt_out"),
    path("setup/engagement/", views.settings_edit, name="settings"),
]
