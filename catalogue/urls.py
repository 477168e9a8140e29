from django.urls import path

from catalogue import views

urlpatterns: list = [
    path("", views.catalogue_home, name="catalogue-home"),
    path("parcours/<int:pk>/", views.path_detail, name="catalogue-path-detail"),
    path(
        "bassins/<int:pk>/parcours-prioritaires/",
        views.basin_gap_page,
        name="catalogue-basin-gap",
    ),
    path("bassins/<int:pk>/offre-locale/", views.local_offers, name="catalogue-local-offers"),
    path(
        "bassins/<int:pk>/offre-locale/<int:offer_pk>/suppression/",
        views.local_offer_remove,
        name="catalogue-local-offer-delete",
    ),
]
