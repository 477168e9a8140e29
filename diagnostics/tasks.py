"""Celery entry points only: ids in, call a service (imported inside the body)."""
