from django.urls import path

from diagnostics.api import sharing
from diagnostics.api.views import BasinIndicatorsApi

urlpatterns = [
    path(
        "basins/<int:pk>/indicators/",
        BasinIndicatorsApi.as_view(),
        name="api-basin-indicators",
    ),
    # The shared diagnostic (issue 13)
    path("shares/", sharing.ShareListApi.as_view(), name="api-share-list"),
    path("shares/<int:pk>/", sharing.ShareDetailApi.as_view(), name="api-share-detail"),
    path("shares/<int:pk>/revoke/", sharing.ShareRevokeApi.as_view(), name="api-share-revoke"),
    path(
        "shares/<int:pk>/comments/", sharing.ShareCommentsApi.as_view(), name="api-share-comments"
    ),
]
