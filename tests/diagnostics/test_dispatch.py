"""Tasks are sent by name (diagnostics.dispatch): the names resolve, eager mode still runs the
task in-process, and a broker outage leaves the committed row pending instead of raising."""

from __future__ import annotations

import contextlib
import logging
from types import SimpleNamespace
from typing import Any

import pytest
from celery import current_app
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError as BrokerOperationalError

from diagnostics import dispatch

NAMES = (
    dispatch.BASIN_REFRESH,
    dispatch.BASINS_REFRESH_ALL,
    dispatch.IMPORT_BATCH_PROCESS,
    dispatch.DIAGNOSTIC_EXECUTE,
    dispatch.PDF_JOB_RENDER,
)


@pytest.fixture
def eager_mode() -> Any:
    """Set Celery's eager flag for one test and put it back (the conf is not a plain object)."""
    old = current_app.conf.task_always_eager

    def set_eager(value: bool) -> None:
        current_app.conf.task_always_eager = value

    yield set_eager
    current_app.conf.task_always_eager = old


@pytest.mark.parametrize("name", NAMES)
def test_dispatch_name_is_a_registered_task(name: str) -> None:
    task = import_string(name)

    assert task.name == name
    assert current_app.tasks[name].run is task.run


def test_task_send_eager_runs_the_task_in_process(
    monkeypatch: pytest.MonkeyPatch, eager_mode: Any
) -> None:
    calls: list[dict[str, Any]] = []
    eager_mode(True)

    def refresh_all(**kwargs: Any) -> int:
        calls.append(kwargs)
        return 3

    monkeypatch.setattr("diagnostics.services.basin_refresh.basins_refresh_all", refresh_all)
    sent: list[str] = []
    monkeypatch.setattr(current_app, "send_task", lambda name, **kw: sent.append(name))

    dispatch.task_send(dispatch.BASINS_REFRESH_ALL, geometry=False)

    assert calls == [{"geometry": False}]
    assert sent == []


def test_task_send_with_broker_sends_by_name(
    monkeypatch: pytest.MonkeyPatch, eager_mode: Any
) -> None:
    sent: list[tuple[str, Any, Any]] = []
    eager_mode(False)
    monkeypatch.setattr(
        current_app,
        "send_task",
        lambda name, args, kwargs, **options: sent.append((name, args, kwargs)),
    )

    dispatch.task_send(dispatch.DIAGNOSTIC_EXECUTE, 42)

    assert sent == [("diagnostics.tasks.diagnostic_execute", (42,), {})]


def test_task_send_broker_down_logs_and_does_not_raise(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, eager_mode: Any
) -> None:
    def down(name: str, args: Any, kwargs: Any, **options: Any) -> None:
        raise BrokerOperationalError("connection refused")

    eager_mode(False)
    monkeypatch.setattr(current_app, "send_task", down)

    with caplog.at_level(logging.ERROR, logger="diagnostics.dispatch"):
        dispatch.task_send(dispatch.IMPORT_BATCH_PROCESS, 7)

    assert "diagnostics.tasks.import_batch_process" in caplog.text
    assert "left pending" in caplog.text


def test_task_send_leaves_the_time_limits_to_the_worker(
    monkeypatch: pytest.MonkeyPatch, eager_mode: Any
) -> None:
    # This process has the task registered with its own limits (600 s / 570 s by default): sent
    # by name, the message must still carry none, so that the worker applies its own settings.
    registered = current_app.tasks[dispatch.DIAGNOSTIC_EXECUTE]
    assert (registered.time_limit, registered.soft_time_limit) == (600, 570)
    messages: list[Any] = []
    eager_mode(False)
    # No broker: a producer whose connection does nothing, the message captured.
    producer = SimpleNamespace(
        connection=SimpleNamespace(_reraise_as_library_errors=contextlib.nullcontext)
    )
    monkeypatch.setattr(
        current_app, "producer_or_acquire", lambda producer_=None: contextlib.nullcontext(producer)
    )
    monkeypatch.setattr(
        current_app.amqp,
        "send_task_message",
        lambda producer, name, message, **options: messages.append((name, message)),
    )

    assert dispatch.task_send(dispatch.DIAGNOSTIC_EXECUTE, 42)

    [(name, message)] = messages
    assert name == dispatch.DIAGNOSTIC_EXECUTE
    assert message.headers["timelimit"] == [None, None]
    assert message.headers["argsrepr"] == "(42,)"
