from django.urls import path

from . import views

urlpatterns = [
    path("setup/users/", views.user_list, name="user_list"),
    path("setup/users/invite/", views.user_invite, name="user_invite"),
    path("setup/users/<int:pk>/", views.user_detail, name="user_detail"),
    path("setup/users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("setup/users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("setup/users/<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("setup/users/<int:pk>/password-reset/", views.user_password_reset, name="user_password_reset"),
    path("setup/users/<int:pk>/invitation/", views.user_invitation_resend, name="user_invitation_resend"),
    path("setup/users/<int:pk>/permission-sets/", views.user_permission_sets, name="user_permission_sets"),
    path("setup/permission-sets/", views.permission_set_list, name="permission_set_list"),
    path("setup/permission-sets/new/", views.permission_set_create, name="permission_set_create"),
    path("setup/permission-sets/<int:pk>/", views.permission_set_detail, name="permission_set_detail"),
    path("setup/permission-sets/<int:pk>/edit/", views.permission_set_edit, name="permission_set_edit"),
    path("setup/permission-sets/<int:pk>/delete/", views.permission_set_delete, name="permission_set_delete"),
    path("setup/permission-sets/<int:pk>/assign/", views.permission_set_assign, name="permission_set_assign"),
    path(
        "setup/permission-sets/<int:pk>/users/<int:user_pk>/remove/",
        views.permission_set_unassign,
        name="permission_set_unassign",
    ),
]
