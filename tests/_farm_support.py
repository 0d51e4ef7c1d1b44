"""Helpers for the farm tests: a webhook receiver on 127.0.0.1, free ports, metric parsing."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from typing import Any

from prometheus_client.parser import text_string_to_metric_families


class Receiver:
    """An HTTP server on 127.0.0.1 that keeps every JSON body posted to it.

    Apprise's ``json://127.0.0.1:PORT/PATH`` target posts ``{"title", "message", "type"}``.
    """

    def __init__(self) -> None:
        """Listen on a free port, in a thread; answer ``status`` (200 unless told)."""
        self.bodies: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.status = 200
        self.delay = 0.0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                time.sleep(receiver.delay)
                receiver.paths.append(self.path)
                receiver.bodies.append(body)
                self.send_response(receiver.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass  # keep the test output clean

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str = "hook") -> str:
        """The Apprise URL that posts here."""
        return f"json://127.0.0.1:{self.port}/{path}"

    def titles(self) -> list[str]:
        """The titles received, in order."""
        return [body["title"] for body in self.bodies]

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus text exposition: (name, labels) -> value."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(parsed: dict, name: str, **labels: str) -> float | None:
    """One sample's value from :func:`samples`, or ``None`` when there is none."""
    return parsed.get((name, frozenset(labels.items())))
