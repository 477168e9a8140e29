import os
from typing import Any

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnam_territoires.settings")

app = Celery("cnam_territoires")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def worker_priority(**_: Any) -> None:
    """Readers before batches: the worker (and the pool it forks next) runs at WORKER_NICENESS
    (`cnam_territoires.priority`)."""
    from django.conf import settings

    from cnam_territoires.priority import niceness_lower

    niceness_lower(settings.WORKER_NICENESS)
