"""The load bench's traffic (bench/load_mixed.py): what the virtual users ask for and how — nine
users in ten browse as a delegate, a national admin or a mayor's office (report pages, the API,
exports, the bare view), one in ten is an API client; a probe asks for the bare view (the
reference) every 0.5 s; a feeder asks for the diagnostic of every demo basin every 10 s. With
two servers (--versus), every user moves from one to the other every SLOT seconds."""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import dataclass, field

from load_client import Session, Stats

SLOT = 10  # --versus: seconds on one server before the users move to the other
ACCOUNTS = ("demo-delegue", "demo-admin", "demo-mairie")


@dataclass
class Traffic:
    ports: list[int]
    token: str
    basins: list[int]
    runs: list[list[int]]  # (run, basin)
    versions: list[int]  # shared with demo-mairie
    stats: Stats = field(default_factory=Stats)
    stop: float = 0.0
    # One login per demo account, shared by its users: 50 PBKDF2 checks at once would be a
    # login storm, not browsing (the login itself is not what is measured).
    logged: dict[str, dict[str, str]] = field(default_factory=dict)
    diagnostics_requested: int = 0
    # --versus-api-only: the second server takes only the API answers in its slots (a pool of
    # workers of its own for the API); pages, exports and the bare view stay on the first.
    api_only_b: bool = False
    # --ramp-seconds: the users start one after the other over these seconds (0: all at once,
    # the bench's method: 50 first requests in the same instant, as the batches start).
    ramp_seconds: float = 0.0
    # --api-workers: the API's answers go to a gunicorn of their own on this port (what a
    # reverse proxy routing /api/ to its own service does); None: one server for everything.
    api_port: int | None = None

    @property
    def pages(self) -> list[str]:
        runs = self.runs
        pages = ["/", "/bassins/", "/diagnostics/", "/catalogue/", "/implantations/"]
        pages += [f"/bassins/{b}/" for b in self.basins] + [f"/diagnostics/{r}/" for r, _ in runs]
        pages += [f"/catalogue/bassins/{b}/parcours-prioritaires/" for b in self.basins[:2]]
        if len(runs) >= 2:
            pages.append(f"/diagnostics/compare/?a={runs[0][0]}&b={runs[1][0]}")
        return pages

    @property
    def mayor_pages(self) -> list[str]:
        # A mayor reads the versions shared with it (/partages/<id>/), never /diagnostics/<id>/
        # (404 for a mayor since the shared diagnostic, issue 13).
        return ["/", "/diagnostics/"] + [f"/partages/{v}/" for v in self.versions]

    @property
    def api(self) -> list[str]:
        api = ["/api/v1/basins/"] + [f"/api/v1/basins/{b}/" for b in self.basins]
        api += [f"/api/v1/runs/{r}/" for r, _ in self.runs]
        return api + [f"/api/v1/runs/{r}/tables/" for r, _ in self.runs[:3]]

    @property
    def exports(self) -> list[str]:
        exports = [f"/diagnostics/{r}/export/years.csv" for r, _ in self.runs[:3]]
        return exports + [f"/diagnostics/{r}/export/tout.xlsx" for r, _ in self.runs[:2]]

    def log_in(self) -> None:
        for who in ACCOUNTS:
            first = Session(self.ports[0])
            first.login(who)
            self.logged[who] = dict(first.cookies)

    def on_server(self, sessions: list[Session]) -> tuple[Session, str]:
        """The session of the server in service now, and the suffix of its kinds."""
        slot = int((time.monotonic() - self.stats.started) / SLOT) % len(sessions)
        return sessions[slot], ("", "@B")[slot]

    def user(self, index: int, start_after: float = 0.0) -> None:
        rng = random.Random(index)
        time.sleep(start_after)
        if index % 10 == 9:  # one user in ten is an API client
            sessions = [Session(port, token=self.token) for port in self.ports]
            mix = [("api", self.api, 1.0)]
        else:
            sessions = [Session(port) for port in self.ports]
            who = ACCOUNTS[index % 3]
            for session in sessions:
                session.cookies = dict(self.logged[who])
            if who == "demo-mairie":
                mix = [("page", self.mayor_pages, 0.9), ("bare", ["/favicon.ico"], 0.1)]
            else:
                mix = [
                    ("page", self.pages, 0.7),
                    ("api", self.api, 0.15),
                    ("export", self.exports, 0.1),
                    ("bare", ["/favicon.ico"], 0.05),
                ]
        api_session = None
        if self.api_port is not None:
            api_session = Session(self.api_port, token=sessions[0].token)
            api_session.cookies = dict(sessions[0].cookies)
        kinds = [m[0] for m in mix]
        weights = [m[2] for m in mix]
        while time.monotonic() < self.stop:
            kind = rng.choices(kinds, weights)[0]
            url = rng.choice(next(m[1] for m in mix if m[0] == kind))
            session, suffix = self.on_server(sessions)
            if self.api_only_b and kind != "api":
                session, suffix = sessions[0], ""
            if api_session is not None and kind == "api":
                session = api_session
            started = time.perf_counter()
            try:
                status, _ = session.request("GET", url)
                error = None if status < 400 else f"HTTP {status} {url}"
            except Exception as exc:  # noqa: BLE001 - every failure is counted
                error = f"{type(exc).__name__} {url}"
            self.stats.add(kind + suffix, time.perf_counter() - started, error, url)
            time.sleep(rng.uniform(0.2, 1.0))

    def bare_probe(self) -> None:
        """The reference: the bare view, requested steadily by its own client."""
        sessions = [Session(port) for port in self.ports]
        while time.monotonic() < self.stop:
            session, suffix = self.on_server(sessions)
            if self.api_only_b:
                session, suffix = sessions[0], ""
            started = time.perf_counter()
            try:
                status, _ = session.request("GET", "/favicon.ico")
                error = None if status == 301 else f"HTTP {status}"
            except Exception as exc:  # noqa: BLE001
                error = type(exc).__name__
            self.stats.add("bare" + suffix, time.perf_counter() - started, error, "/favicon.ico")
            time.sleep(0.5)

    def feeder(self) -> None:
        """The batch of diagnostics: every demo basin again, every 10 s, as its delegate."""
        session = Session(self.ports[0])
        session.cookies = dict(self.logged["demo-delegue"])
        while time.monotonic() < self.stop:
            for b in self.basins:
                try:
                    status, page = session.request("GET", f"/bassins/{b}/")
                    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
                    if match:
                        session.request(
                            "POST",
                            f"/bassins/{b}/diagnostic/",
                            {"csrfmiddlewaretoken": match.group(1).decode()},
                        )
                        self.diagnostics_requested += 1
                except Exception as exc:  # noqa: BLE001 - counted, the feeder goes on
                    self.stats.add("feeder", 0.0, f"{type(exc).__name__} /bassins/{b}/")
            time.sleep(10)

    def threads(self, users: int) -> list[threading.Thread]:
        threads = [
            threading.Thread(target=self.user, args=(i, self.ramp_seconds * i / users), daemon=True)
            for i in range(users)
        ]
        return threads + [
            threading.Thread(target=self.bare_probe, daemon=True),
            threading.Thread(target=self.feeder, daemon=True),
        ]

    def run(self, users: int, seconds: int) -> None:
        """`users` users, the probe and the feeder for `seconds` seconds (joined, with margin)."""
        self.stop = time.monotonic() + seconds
        threads = self.threads(users)
        self.stats.started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=seconds + 120)
