"""The project's settings, one module per concern; every value comes from the environment
(django-environ). `cnam_territoires.settings` stays the DJANGO_SETTINGS_MODULE: it gathers the
modules below; each of them reads `env`, DEBUG, DEMO and the paths from `base`, no other.

- `base`: environment, apps, middleware, templates, database, authentication, i18n, static files,
  logging;
- `security`: production defaults (HTTPS, cookies, sessions, HSTS), Content-Security-Policy,
  login throttling;
- `api`: the shared cache, Django REST framework, API tokens and throttles, the OpenAPI schema;
- `workers`: Celery, run and task time limits, the outbox and its sweepers (beat);
- `application`: e-mail, open data, imports and request sizes, audit, PDF reports, follow-up.

Safe defaults: DEBUG is off unless set, and there is no default secret key outside the demo
(DJANGO_DEMO=true, which `make run` and the test suite set). Without DATABASE_URL the project runs
on SQLite under var/; without CELERY_BROKER_URL, Celery tasks run eagerly in-process.
"""

from cnam_territoires.settings.api import *  # noqa: F403
from cnam_territoires.settings.application import *  # noqa: F403
from cnam_territoires.settings.base import *  # noqa: F403
from cnam_territoires.settings.security import *  # noqa: F403
from cnam_territoires.settings.workers import *  # noqa: F403
