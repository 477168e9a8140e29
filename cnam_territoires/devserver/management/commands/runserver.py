"""`runserver` as django.contrib.staticfiles gives it (static files served in DEBUG), on a
server that sets TCP_NODELAY (cnam_territoires.devserver): no 40 ms wait per answer."""

from django.contrib.staticfiles.management.commands.runserver import Command as StaticRunserver

from cnam_territoires.devserver import NoDelayWSGIServer


class Command(StaticRunserver):
    server_cls = NoDelayWSGIServer
