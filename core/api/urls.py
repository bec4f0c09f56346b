from django.urls import path

from . import translations, views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("auth/logout/", views.LogoutView.as_view(), name="api-logout"),
    path("auth/tokens/", views.ApiTokenListView.as_view(), name="api-tokens"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("auth/tokens/<int:pk>/", views.ApiTokenDetailView.as_view(), name="api-token-detail"),
    path("picklists/", views.PicklistView.as_view(), name="api-picklists"),
    path("fields/<str:object_name>/<str:api_name>/", views.FieldDefinitionView.as_view(), name="api-field"),
    path("translations/", translations.LabelTranslationListView.as_view(), name="api-translations"),
    path("translations/<int:pk>/", translations.LabelTranslationDetailView.as_view(), name="api-translation"),
    path("recycle-bin/", views.RecycleBinView.as_view(), name="api-recycle-bin"),
    path("recycle-bin/<int:pk>/", views.RecycleBinEntryView.as_view(), name="api-recycle-bin-entry"),
    path("recycle-bin/<int:pk>/restore/", views.RecycleBinRestoreView.as_view(), name="api-recycle-bin-restore"),
]
