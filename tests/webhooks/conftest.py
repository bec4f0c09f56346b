import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.seeding import seed_fields


class Receiver:
    """An HTTP server on loopback that keeps every request and answers ``status`` (a list is
    answered in turn, its last item for every later request)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = [200]
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.requests.append(
                        {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                    )
                    status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"no")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def payloads(self) -> list[dict]:
        with self.lock:
            return [json.loads(item["body"]) for item in self.requests]

    def events(self) -> list[str]:
        return [payload["event"] for payload in self.payloads()]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings, monkeypatch):
    """A webhook receiver on loopback; private addresses are allowed for the test (and for a worker
    started after this fixture)."""
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    monkeypatch.setenv("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "true")
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def seeded_lead_fields(transactional_db):
    """Transactional tests flush the database between tests, migration-seeded rows included."""

    seed_fields("leads")
