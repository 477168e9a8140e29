from django.apps import AppConfig


class ImplantationsConfig(AppConfig):
    name = "implantations"
    verbose_name = "Implantations"
