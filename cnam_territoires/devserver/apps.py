from django.apps import AppConfig


class DevServerConfig(AppConfig):
    """`runserver` served without Nagle's algorithm (see the package's docstring)."""

    name = "cnam_territoires.devserver"
    label = "devserver"
    verbose_name = "Serveur de développement"
