"""gunicorn's production configuration (issue 15, « Load held »): gthread workers with enough
threads and a short switch interval that cheap answers are not queued behind report renders;
each value changeable by the environment, and the one file the Dockerfile, docker-compose.yml
and the load bench start gunicorn with."""

from __future__ import annotations

import http.client
import os
import runpy
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "gunicorn.conf.py"


def _load(monkeypatch: pytest.MonkeyPatch, **environ: str) -> dict[str, object]:
    for name in (
        "WEB_CONCURRENCY",
        "GUNICORN_THREADS",
        "GUNICORN_SWITCH_INTERVAL_MS",
        "GUNICORN_BIND",
        "GUNICORN_TIMEOUT",
        "GUNICORN_KEEPALIVE",
        "GUNICORN_GC_FREEZE",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_gunicorn_conf_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = _load(monkeypatch)

    assert conf["worker_class"] == "gthread"
    assert (conf["workers"], conf["threads"], conf["switch_interval_ms"]) == (2, 8, 1.0)
    assert conf["bind"] == "0.0.0.0:8000"
    assert conf["gc_freeze"] is True
    # Every answer closes its connection: the next request goes to the less busy worker.
    assert conf["keepalive"] == 0


def test_gunicorn_conf_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = _load(
        monkeypatch,
        WEB_CONCURRENCY="3",
        GUNICORN_THREADS="12",
        GUNICORN_SWITCH_INTERVAL_MS="0.5",
        GUNICORN_BIND="127.0.0.1:9000",
        GUNICORN_GC_FREEZE="false",
        GUNICORN_KEEPALIVE="5",
    )

    assert (conf["workers"], conf["threads"], conf["bind"]) == (3, 12, "127.0.0.1:9000")
    assert conf["keepalive"] == 5
    assert conf["switch_interval_ms"] == 0.5
    assert conf["gc_freeze"] is False


def test_gunicorn_conf_post_fork_sets_the_switch_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = _load(monkeypatch, GUNICORN_SWITCH_INTERVAL_MS="2")
    before = sys.getswitchinterval()
    try:
        conf["post_fork"](None, None)  # type: ignore[operator]
        assert sys.getswitchinterval() == pytest.approx(0.002)
    finally:
        sys.setswitchinterval(before)


def test_gunicorn_conf_reaches_the_workers(tmp_path: Path) -> None:
    """A worker started with the file answers with its switch interval and thread count, and
    closes the connection after its answer (no keep-alive: a client's next request is accepted
    by whichever worker is free first, not tied to this one)."""
    (tmp_path / "probe.py").write_text(
        "import sys, threading, django\n"
        "django.setup()  # as cnam_territoires.wsgi does\n"
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [f'{sys.getswitchinterval()} {threading.current_thread().name}'.encode()]\n"
    )
    port = 20000 + os.getpid() % 20000
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", str(CONF), "probe:app"],
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}",
            "DJANGO_SETTINGS_MODULE": "cnam_territoires.settings",
            "DJANGO_DEMO": "true",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_SWITCH_INTERVAL_MS": "0.5",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        body, connection = "", None
        for _ in range(100):
            try:
                # http.client asks for keep-alive (HTTP/1.1, no `Connection: close` of its own,
                # unlike urllib): the answer's header is the server's choice.
                client = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                client.request("GET", "/")
                answer = client.getresponse()
                body = answer.read().decode()
                connection = answer.getheader("Connection")
                client.close()
                break
            except OSError:
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)

    interval, thread = body.split()
    assert float(interval) == pytest.approx(0.0005)
    assert thread.startswith("ThreadPoolExecutor")  # gthread: the request ran in the pool
    assert connection == "close"


def test_gunicorn_conf_post_worker_init_loads_the_views_before_the_first_request() -> None:
    code = (
        "import runpy, sys, django\n"
        "django.setup()\n"
        "before = 'diagnostics.views.diagnostics' in sys.modules\n"
        "import gc\n"
        "frozen = gc.get_freeze_count()\n"
        "runpy.run_path('gunicorn.conf.py')['post_worker_init'](None)\n"
        "print(before, 'diagnostics.views.diagnostics' in sys.modules, frozen,\n"
        "      gc.get_freeze_count() > 100_000)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cnam_territoires.settings",
        "DJANGO_DEMO": "true",
        "PYTHONPATH": str(ROOT),
    }

    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout

    # The loaded application's objects frozen out of the collector's walks (GUNICORN_GC_FREEZE).
    assert out.split() == ["False", "True", "0", "True"]
    unfrozen = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "GUNICORN_GC_FREEZE": "false"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert unfrozen.split() == ["False", "True", "0", "False"]


def test_compose_serves_the_api_by_a_gunicorn_of_its_own_as_the_load_bench_measures(
    monkeypatch,
) -> None:
    import yaml

    root = Path(__file__).resolve().parents[2]
    services = yaml.safe_load((root / "docker-compose.yml").read_text())["services"]
    bench = runpy.run_path(str(root / "bench" / "load_mixed.py"), run_name="bench")
    monkeypatch.setattr(sys, "argv", ["load_mixed.py"])
    defaults = bench["arguments"]()

    # The same application and configuration file, two services, each its own workers.
    assert services["api"]["command"] == services["web"]["command"]
    assert services["web"]["command"][:3] == ["gunicorn", "-c", "gunicorn.conf.py"]
    assert services["web"]["environment"]["WEB_CONCURRENCY"] == "${WEB_WORKERS:-2}"
    assert services["api"]["environment"]["WEB_CONCURRENCY"] == "${API_WORKERS:-1}"
    # Both keep the database and the broker of the other services.
    for name in ("web", "api"):
        assert (
            services[name]["environment"]["DATABASE_URL"]
            == (services["worker"]["environment"]["DATABASE_URL"])
        )
    # Same CPU weight for both (the default); the batches' below them. The load bench
    # measures that topology by default.
    assert "cpu_shares" not in services["web"] and "cpu_shares" not in services["api"]
    assert services["worker"]["cpu_shares"] == 256
    assert (defaults.workers, defaults.api_workers, defaults.web_niceness) == (2, 1, 0)


def test_gunicorn_niceness_lowers_the_server_before_its_workers_fork() -> None:
    root = Path(__file__).resolve().parents[2]
    code = (
        "import os, runpy; conf = runpy.run_path('gunicorn.conf.py'); "
        "conf['on_starting'](None); print(conf['niceness'], os.getpriority(os.PRIO_PROCESS, 0))"
    )

    def run(value: str | None) -> str:
        env = {k: v for k, v in os.environ.items() if k != "GUNICORN_NICENESS"}
        if value is not None:
            env["GUNICORN_NICENESS"] = value
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True,
            check=True,
        )  # fmt: skip
        return out.stdout.strip()

    base = os.getpriority(os.PRIO_PROCESS, 0)
    assert run(None) == f"0 {base}"  # the default leaves the priority alone
    assert run("5") == f"5 {max(base, 5)}"
