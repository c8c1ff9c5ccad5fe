"""A local HTTP server on 127.0.0.1 that answers like a provider, for the --verify tests.

Each key (the value of whichever auth header it came in) gets a script of answers: the
first request gets the first answer, and so on; the last answer repeats. The server records
every request (method, path, header names, the key's fingerprint — never the key) and
measures how many were in flight at once.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from keylint.findings import fingerprint

# Every `auth.header` of rules/verify/ (test_verify_http checks that none is missing).
AUTH_HEADERS = (
    "authorization",
    "x-api-key",
    "api-key",
    "x-goog-api-key",
    "private-token",
    "xi-api-key",
)


@dataclass
class Answer:
    status: int
    body: Any = None  # dict/list → JSON; str → text; None → {}
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (timeouts, concurrency)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names; the auth value replaced by its fingerprint
    key_fingerprint: str | None


class ProviderServer:
    def __init__(self) -> None:
        self.scripts: dict[str, list[Answer]] = {}
        self.default = Answer(200, {"data": []})
        self.requests: list[Seen] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._handle(self)

            def do_POST(self) -> None:
                server._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, key: str, *answers: Answer) -> None:
        """Answers for requests carrying ``key`` (bare or after a scheme word)."""
        self.scripts[fingerprint(key)] = list(answers)

    def reset(self) -> None:
        # A request a client gave up on (timeout test) may still be sleeping: let it end.
        deadline = time.monotonic() + 2
        while self.in_flight and time.monotonic() < deadline:
            time.sleep(0.01)
        with self.lock:
            self.scripts.clear()
            self.requests.clear()
            self.max_in_flight = 0

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            length = int(handler.headers.get("Content-Length") or 0)
            if length:
                handler.rfile.read(length)
            key = None
            headers = {k.lower(): v for k, v in handler.headers.items()}
            for name in AUTH_HEADERS:
                if name in headers:
                    value = headers[name]
                    key = value.split(" ", 1)[1] if " " in value else value
                    headers[name] = fingerprint(key)
                    break
            fp = fingerprint(key) if key is not None else None
            with self.lock:
                self.requests.append(Seen(handler.command, handler.path, headers, fp))
                script = self.scripts.get(fp or "")
                answer = (script.pop(0) if len(script) > 1 else script[0]) if script else None
            answer = answer or self.default
            if answer.delay:
                time.sleep(answer.delay)
            body = answer.body if answer.body is not None else {}
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            try:
                handler.send_response(answer.status)
                handler.send_header("Content-Type", "application/json")
                handler.send_header("Content-Length", str(len(data)))
                for k, v in answer.headers.items():
                    handler.send_header(k, v)
                handler.end_headers()
                handler.wfile.write(data)
            except OSError:
                pass  # the client gave up (timeout test)
        finally:
            with self.lock:
                self.in_flight -= 1
