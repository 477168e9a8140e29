from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    name = "diagnostics"
    verbose_name = "Territoires et diagnostics"

    def ready(self) -> None:
        from diagnostics import signals

        signals.connect()
