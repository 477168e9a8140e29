"""The tests' `live_server` on the server of cnam_territoires.devserver: TCP_NODELAY on its
connections, no 40 ms delayed-ACK wait per answer (the API contract test, 1,080 requests:
62 s of wall time for 27 s of CPU before, 20 s after)."""

from __future__ import annotations


def use_no_delay_server() -> None:
    """Makes Django's `LiveServerThread` (pytest-django's `live_server`) serve with it."""
    from django.test.testcases import LiveServerThread

    from cnam_territoires.devserver import NoDelayThreadedWSGIServer

    LiveServerThread.server_class = NoDelayThreadedWSGIServer
