"""The load bench's client side (bench/load_mixed.py): one virtual user's HTTP session (keep-alive
connection, cookies, CSRF, API token) and the latencies of every answer by kind, with their
percentiles, per-phase p99 and the URL patterns of the slowest answers."""

from __future__ import annotations

import http.client
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

PASSWORD = "territoires-demo-2026"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def url_pattern(url: str) -> str:
    """/diagnostics/12/export/years.csv -> /diagnostics/N/export/years.csv: one line per page."""
    return re.sub(r"\d+", "N", url.split("?", 1)[0])


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # Every answer: (seconds since the start, kind, URL pattern, seconds).
    answers: list[tuple[float, str, str, float]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, error: str | None = None, url: str = "") -> None:
        at = time.monotonic() - self.started - seconds
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)
            self.answers.append((at, kind, url_pattern(url), seconds))
            if error:
                self.errors.append(f"{kind}: {error}")

    def slowest(self, kind: str, share: float = 0.01) -> dict[str, int]:
        """Which URL patterns make the slowest `share` of the answers of `kind` (where p99
        comes from)."""
        rows = sorted((a for a in self.answers if a[1] == kind), key=lambda a: -a[3])
        top = rows[: max(1, round(len(rows) * share))] if rows else []
        out: dict[str, int] = {}
        for _, _, pattern, _ in top:
            out[pattern] = out.get(pattern, 0) + 1
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    def p99_between(self, kind: str, start: float, end: float) -> tuple[int, float]:
        values = [a[3] for a in self.answers if a[1] == kind and start <= a[0] < end]
        return len(values), round(percentile(values, 99) * 1000, 1)


class Session:
    """One virtual user: a keep-alive connection, its cookies, its CSRF token."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.token = token

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        headers = {"Host": "127.0.0.1", "Accept": "text/html,application/json"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                break
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, payload

    def login(self, username: str) -> None:
        status, page = self.request("GET", "/connexion/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert status == 200 and match, f"page de connexion : HTTP {status}"
        status, _ = self.request(
            "POST",
            "/connexion/",
            {
                "csrfmiddlewaretoken": match.group(1).decode(),
                "username": username,
                "password": PASSWORD,
            },
        )
        assert status == 302, f"connexion de {username} : HTTP {status}"
