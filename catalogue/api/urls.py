from django.urls import path
from rest_framework.routers import SimpleRouter

from catalogue.api import catalogue
from catalogue.api.views import BasinGapApi

router = SimpleRouter()
router.register("catalogue/sectors", catalogue.SectorViewSet, basename="api-sector")
router.register("catalogue/paths", catalogue.PathViewSet, basename="api-path")

urlpatterns = [
    path("basins/<int:pk>/gap/", BasinGapApi.as_view(), name="api-basin-gap"),
    *router.urls,
]
