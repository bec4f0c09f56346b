from django.urls import path

from . import setup_views, views

urlpatterns = [
    path("<int:pk>/path/", views.lead_path_view, name="path"),
    path("<int:pk>/path/key-fields/", views.lead_path_key_fields, name="path_key_fields"),
    path("record-types/", setup_views.lead_record_type_list, name="recordtype_list"),
    path("record-types/new/", setup_views.lead_record_type_create, name="recordtype_create"),
    path("record-types/<int:pk>/", setup_views.lead_record_type_edit, name="recordtype_edit"),
    path("record-types/<int:pk>/path/", setup_views.lead_path_setup, name="path_setup"),
    path("record-types/defaults/", setup_views.lead_record_type_default_set, name="recordtype_default_set"),
    path("record-types/roles/<int:group_id>/", setup_views.lead_record_type_access_set, name="recordtype_access_set"),
]
