"""docs/api.md runs as written: its `sh` blocks one after the other, then its `python` block,
against a live test server, with a delegate's token (issue 14)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"
NEET = (
    "niveau;code;periode;indicateur;valeur;unite;source\n"
    "commune;52001;2020;part_neet;17,5;%;Insee\n"
)


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


@pytest.fixture
def tutorial(live_server, tmp_path, settings):
    from diagnostics.services.tokens import api_token_create
    from tests.factories.diagnostic_runs import diagnostic_world

    settings.MEDIA_ROOT = tmp_path / "media"
    world = diagnostic_world()
    key = api_token_create(
        user=world.delegate,
        name="tutoriel",
        scopes=["indicators:read", "runs:write", "imports:write"],
    ).key
    (tmp_path / "neet.csv").write_text(NEET, encoding="utf-8")
    env = {
        **os.environ,
        "API": live_server.url.replace("localhost", "127.0.0.1"),
        "TOKEN": key,
        "FILE": str(tmp_path / "neet.csv"),
    }
    with override_settings(API_THROTTLE_RATES={}):
        yield world, env, tmp_path


def test_the_tutorial_has_its_steps() -> None:
    text = DOC.read_text(encoding="utf-8")
    for step in (
        "Obtenir un jeton",
        "Trouver le bassin",
        "Demander un diagnostic",
        "CSV",
        "Déposer",
    ):
        assert step in text
    assert len(blocks("sh")) == 5 and len(blocks("python")) == 1


def test_curl_examples_run(tutorial) -> None:
    world, env, tmp_path = tutorial
    missing = [tool for tool in ("curl", "jq", "bash") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"outils absents : {', '.join(missing)}")
    script = "set -euo pipefail\n" + "\n".join(blocks("sh"))

    done = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )

    assert done.returncode == 0, done.stderr
    assert f"commune 52001, bassin {world.basin.pk}" in done.stdout
    assert "diagnostic prêt" in done.stdout
    rows = (tmp_path / "chomage.csv").read_text().splitlines()
    assert rows and re.fullmatch(r'"\d{4}-T[1-4]",[0-9.]+,(true|false)', rows[0])
    assert done.stdout.strip().splitlines()[-2:] == ["done", "1"]


def test_python_example_runs(tutorial) -> None:
    world, env, tmp_path = tutorial

    done = subprocess.run(
        [sys.executable, "-c", blocks("python")[0]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 0, done.stderr
    name, status, points, batch = done.stdout.strip().rsplit(" ", 3)
    assert (name, status) == (world.basin.name, "done")
    assert int(points) > 0 and batch == "done"
    header, *rows = (tmp_path / "chomage-python.csv").read_text().splitlines()
    assert header == "period,value,estimated" and len(rows) == int(points)
