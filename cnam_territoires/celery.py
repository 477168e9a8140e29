import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnam_territoires.settings")

app = Celery("cnam_territoires")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
