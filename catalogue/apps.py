from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = "Catalogue de formations"

    def ready(self) -> None:
        from catalogue.selectors.catalogue import catalogue_version
        from diagnostics.selectors.page_cache import version_register

        # The diagnostic report's « Parcours prioritaires » reads the catalogue: a change of
        # the catalogue renews the cached reports (issue 15).
        version_register("catalogue", catalogue_version)
