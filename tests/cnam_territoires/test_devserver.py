"""The development and test servers answer without Nagle's algorithm (cnam_territoires.devserver):
the connections they accept have TCP_NODELAY, `runserver` is ours, `live_server` uses it."""

from __future__ import annotations

import socket

import pytest
from django.core.management import get_commands, load_command_class
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

from cnam_territoires.devserver import NoDelayThreadedWSGIServer, NoDelayWSGIServer


@pytest.mark.parametrize(
    ("server_class", "no_delay"),
    [
        (NoDelayWSGIServer, True),
        (NoDelayThreadedWSGIServer, True),
        # The control: Django's own server leaves Nagle's algorithm on.
        (WSGIServer, False),
    ],
)
def test_accepted_connections_send_without_waiting(server_class, no_delay) -> None:  # type: ignore[no-untyped-def]
    server = server_class(("127.0.0.1", 0), WSGIRequestHandler)
    client = socket.create_connection(("127.0.0.1", server.server_address[1]))
    try:
        accepted, _ = server.get_request()
        assert (accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0) is no_delay
        accepted.close()
    finally:
        client.close()
        server.server_close()


def test_runserver_is_the_no_delay_one_and_still_serves_static_files() -> None:
    from django.contrib.staticfiles.management.commands.runserver import Command as Static

    assert get_commands()["runserver"] == "cnam_territoires.devserver"
    command = load_command_class("cnam_territoires.devserver", "runserver")
    assert isinstance(command, Static)
    assert command.server_cls is NoDelayWSGIServer


def test_live_server_uses_it() -> None:
    from django.test.testcases import LiveServerThread

    assert LiveServerThread.server_class is NoDelayThreadedWSGIServer
