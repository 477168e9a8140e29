from django.urls import path

from catalogue.api.views import BasinGapApi

urlpatterns = [
    path("basins/<int:pk>/gap/", BasinGapApi.as_view(), name="api-basin-gap"),
]
