"""The test servers themselves: a server started for a test is that test's, even when another test
worker took its port first."""
import http.server
import threading

import requests

from tests.support import processes, servers


class _Healthy(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args) -> None:
        pass


def test_a_server_whose_port_another_took_starts_on_another_port(tmp_path, fake, monkeypatch):
    """Another worker's server on the chosen port answers /healthz as well; the new server fails to
    bind and exits. It is started again on another port instead of the test talking to a stranger."""
    squatter = http.server.HTTPServer(("127.0.0.1", 0), _Healthy)
    threading.Thread(target=squatter.serve_forever, daemon=True).start()
    taken = [squatter.server_port]
    monkeypatch.setattr(servers, "free_port", lambda: taken.pop() if taken else processes.free_port())
    server = servers.start_app(f"sqlite:///{tmp_path / 'app.db'}", fake.url, tmp_path / "app")
    try:
        assert server.url != f"http://127.0.0.1:{squatter.server_port}"
        assert requests.get(server.url + "/healthz", timeout=10).json()["database"] == "sqlite"
    finally:
        server.stop()
        squatter.shutdown()
