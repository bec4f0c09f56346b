"""Core pages. ``account_urlpatterns`` (login, logout) keep their plain names; the setup pages live
in the ``core`` namespace. The home page is the user's dashboard (``dashboards.views.home``)."""

from django.urls import path

from . import account_views, translation_views, views

account_urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password-reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", account_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", account_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("account/password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("account/password/done/", account_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("account/profile/", account_views.my_profile, name="my_profile"),
    path("account/api-tokens/", account_views.api_tokens, name="api_tokens"),
    path("account/api-tokens/new/", account_views.api_token_new, name="api_token_new"),
    path("account/api-tokens/<int:pk>/revoke/", account_views.api_token_revoke_view, name="api_token_revoke"),
]

urlpatterns = [
    path("setup/picklists/", views.picklist_list, name="picklist_list"),
    path("setup/picklists/<str:object_name>/<str:field_name>/", views.picklist_detail, name="picklist_detail"),
    path(
        "setup/picklists/<str:object_name>/<str:field_name>/values/new/",
        views.picklist_value_create,
        name="picklist_value_create",
    ),
    path("setup/picklist-values/<int:pk>/edit/", views.picklist_value_edit, name="picklist_value_edit"),
    path("setup/picklist-values/<int:pk>/move/", views.picklist_value_move, name="picklist_value_move"),
    path("setup/picklist-values/<int:pk>/default/", views.picklist_value_default, name="picklist_value_default"),
    path("setup/picklist-values/<int:pk>/active/", views.picklist_value_active, name="picklist_value_active"),
    path("setup/picklist-values/<int:pk>/delete/", views.picklist_value_delete, name="picklist_value_delete"),
    path("setup/fields/", views.field_list, name="field_list"),
    path("setup/fields/<str:object_name>/new/", views.field_create, name="field_create"),
    path("setup/fields/<str:object_name>/<str:api_name>/", views.field_detail, name="field_detail"),
    path("setup/fields/<str:object_name>/<str:api_name>/edit/", views.field_edit, name="field_edit"),
    path("setup/sharing/", views.sharing, name="sharing"),
    path("setup/translations/", translation_views.translation_workbench, name="translation_workbench"),
    path("recycle-bin/", views.recycle_bin, name="recycle_bin"),
    path("recycle-bin/<int:pk>/restore/", views.recycle_bin_restore, name="recycle_bin_restore"),
    path("recycle-bin/<int:pk>/purge/", views.recycle_bin_purge, name="recycle_bin_purge"),
]
