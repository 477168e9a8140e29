"""The test server of `live_server` without Nagle's algorithm on its connections.

Django's test server (`LiveServerThread`, a `ThreadedWSGIServer`) writes an answer's headers and
its body in two `send` calls. With Nagle's algorithm on (the socket default), the body waits
until the headers are acknowledged, and the client acknowledges them only when its delayed-ACK
timer fires, 40 ms later on Linux: every answer of the test server cost at least 40 ms of wall
time, spent idle (measured: 48 ms per request for 5 ms of CPU; the API contract test, 1,080
requests, 62 s of wall time for 27 s of CPU). gunicorn, the production server, sets TCP_NODELAY
on its sockets; this does the same for the test server."""

from __future__ import annotations

import socket
from typing import Any

from django.core.servers.basehttp import ThreadedWSGIServer


class NoDelayWSGIServer(ThreadedWSGIServer):
    """`ThreadedWSGIServer` whose accepted connections send each write at once."""

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address


def use_no_delay_server() -> None:
    """Makes Django's `LiveServerThread` (pytest-django's `live_server`) serve with it."""
    from django.test.testcases import LiveServerThread

    LiveServerThread.server_class = NoDelayWSGIServer
