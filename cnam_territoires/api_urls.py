from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from cnam_territoires.api_schema import StoredSchemaView

urlpatterns = [
    path("schema/", StoredSchemaView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/", include("diagnostics.api.urls")),
    path("v1/", include("catalogue.api.urls")),
    path("v1/", include("implantations.api.urls")),
]
