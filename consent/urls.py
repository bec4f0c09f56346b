from django.urls import path

from . import views

urlpatterns = [
    path("u/<str:token>/", views.preferences_view, name="preferences"),
    path("u/<str:token>/one-click/", views.one_click_view, name="one_click"),
    path("confirm/<str:token>/", views.confirm_view, name="confirm"),
    path("leads/<int:pk>/record/", views.record_consent_view, {"object_name": "lead"}, name="lead_record"),
    path("leads/<int:pk>/export/", views.export_view, {"object_name": "lead"}, name="lead_export"),
    path("leads/<int:pk>/erase/", views.erase_view, {"object_name": "lead"}, name="lead_erase"),
    path("contacts/<int:pk>/record/", views.record_consent_view, {"object_name": "contact"}, name="contact_record"),
    path("contacts/<int:pk>/export/", views.export_view, {"object_name": "contact"}, name="contact_export"),
    path("contacts/<int:pk>/erase/", views.erase_view, {"object_name": "contact"}, name="contact_erase"),
    path("setup/", views.consent_setup_view, name="setup"),
    path("setup/forms/<int:form_pk>/", views.form_consent_view, name="form_consent"),
]
