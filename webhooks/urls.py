from django.urls import path

from . import views

urlpatterns = [
    path("", views.endpoint_list, name="endpoint_list"),
    path("new/", views.endpoint_create, name="endpoint_create"),
    path("<int:pk>/", views.endpoint_detail, name="endpoint_detail"),
    path("<int:pk>/edit/", views.endpoint_edit, name="endpoint_edit"),
    path("<int:pk>/delete/", views.endpoint_delete, name="endpoint_delete"),
    path("<int:pk>/test/", views.endpoint_test, name="endpoint_test"),
    path("<int:pk>/rotate-secret/", views.endpoint_rotate_secret, name="endpoint_rotate_secret"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery_detail"),
    path("deliveries/<int:pk>/replay/", views.delivery_replay, name="delivery_replay"),
]
