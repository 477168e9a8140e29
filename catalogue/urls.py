from django.urls import path

from catalogue.views import catalogue

urlpatterns: list = [
    path("", catalogue.catalogue_home, name="catalogue-home"),
    path("parcours/<int:pk>/", catalogue.path_detail, name="catalogue-path-detail"),
    path(
        "bassins/<int:pk>/parcours-prioritaires/",
        catalogue.basin_gap_page,
        name="catalogue-basin-gap",
    ),
    path("bassins/<int:pk>/offre-locale/", catalogue.local_offers, name="catalogue-local-offers"),
    path(
        "bassins/<int:pk>/offre-locale/<int:offer_pk>/suppression/",
        catalogue.local_offer_remove,
        name="catalogue-local-offer-delete",
    ),
]
