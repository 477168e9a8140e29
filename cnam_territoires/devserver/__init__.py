"""Django's development server without Nagle's algorithm (`make run`, and the test server).

Django's WSGI server writes an answer's headers and its body in two `send` calls. With Nagle's
algorithm on (the socket default), the body waits until the client acknowledges the headers,
which a client does when its delayed-ACK timer fires, 40 ms later on Linux: every answer of
`manage.py runserver` and of the tests' `live_server` took at least 40 ms, idle (measured: 46 ms
for a static file, 48 ms per API request for 5 ms of CPU; 2 to 4 ms with TCP_NODELAY). gunicorn,
the production server, sets TCP_NODELAY on its sockets; this server does the same. The app
(listed before `django.contrib.staticfiles`) gives `runserver` this server; tests/live_server.py
gives it to `live_server`."""

from __future__ import annotations

import socket
from typing import Any

from django.core.servers.basehttp import ThreadedWSGIServer, WSGIServer


class NoDelayMixin:
    """Sets TCP_NODELAY on every connection the server accepts."""

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()  # type: ignore[misc]
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address


class NoDelayWSGIServer(NoDelayMixin, WSGIServer):
    """runserver's server (it adds the threading mixin itself)."""


class NoDelayThreadedWSGIServer(NoDelayMixin, ThreadedWSGIServer):
    """The test server's (`LiveServerThread.server_class`)."""
