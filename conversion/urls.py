from django.urls import path

from . import views

urlpatterns = [
    path("leads/<int:pk>/convert/", views.convert_view, name="convert"),
    path("leads/<int:pk>/converted/", views.converted_view, name="converted"),
    path("setup/conversion-mapping/", views.mapping_view, name="mapping"),
    path("setup/conversion-mapping/<int:pk>/delete/", views.mapping_delete_view, name="mapping_delete"),
]
