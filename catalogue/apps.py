from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = "Catalogue de formations"

    def ready(self) -> None:
        from diagnostics.demo_steps import demo_step_register

        demo_step_register("catalogue", "catalogue.services.catalogue.catalogue_demo_load")
