"""The process's pool of upstream connections: proxies from the environment, and a pooled
connection taken without giving up the event loop."""
import base64
import json
import socket
import subprocess
import sys
from pathlib import Path

import urllib3

from routerchat.upstream.client import OpenRouterClient
from routerchat.upstream.pool import connection_pool, is_readable_now
from tests.fake_openrouter import API_KEY

ROOT = Path(__file__).resolve().parents[2]
# Under gevent (as main.py and gunicorn serve): a keep-alive connection goes back to the pool, a
# callback is queued on the hub, and the next request takes the connection. Whether the callback
# ran meanwhile says whether taking it gave up the greenlet's turn.
TAKE_POOLED = """
from gevent import monkey
monkey.patch_all()
import json, sys
import gevent
from routerchat.upstream.pool import connection_pool
url = sys.argv[1]
pool = connection_pool(url)
pool.request("GET", url + "/models").data
hosts = pool.connection_from_url(url)
ran = []
gevent.get_hub().loop.run_callback(ran.append, "another greenlet's turn")
connection = hosts._get_conn()
print(json.dumps({"yielded": bool(ran), "reused": connection.sock is not None}))
"""


def test_a_proxy_from_the_environment_is_used_with_its_credentials(monkeypatch):
    clear_proxies(monkeypatch)
    monkeypatch.setenv("HTTPS_PROXY", "http://ann%40corp:s%3Acret@proxy.example:3128")
    pool = connection_pool("https://openrouter.ai/api/v1")
    assert isinstance(pool, urllib3.ProxyManager) and pool.proxy.host == "proxy.example"
    assert pool.proxy_headers["proxy-authorization"] == "Basic " + base64.b64encode(b"ann@corp:s:cret").decode()
    monkeypatch.setenv("NO_PROXY", "openrouter.ai")
    assert not isinstance(connection_pool("https://openrouter.ai/api/v1"), urllib3.ProxyManager)
    monkeypatch.delenv("NO_PROXY")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert "proxy-authorization" not in connection_pool("https://openrouter.ai/api/v1").proxy_headers


def clear_proxies(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy",
                 "no_proxy"):
        monkeypatch.delenv(name, raising=False)


def test_requests_go_straight_to_the_hosts_pool(fake, monkeypatch):
    """The manager's `request` parsed the URL, copied the headers and looked the pool up again on
    every request; the client asks its host's pool directly."""
    clear_proxies(monkeypatch)
    client = OpenRouterClient(fake.url, API_KEY)
    assert client.connections is client.pool.connection_from_url(fake.url)

    def through_the_manager(*_args, **_kwargs):
        raise AssertionError("the request went through the PoolManager")
    monkeypatch.setattr(client.pool, "urlopen", through_the_manager)
    monkeypatch.setattr(client.pool, "request", through_the_manager)
    assert client.list_models()
    assert fake.requests[-1].path == "/models"  # the fake records paths below its prefix


def test_behind_a_proxy_plain_http_goes_through_the_manager_and_https_through_the_tunnel(monkeypatch):
    """A proxy forwarding plain HTTP needs the absolute URL and its headers (the manager adds
    them); HTTPS goes through a tunnel to the host, whose pool takes the path."""
    clear_proxies(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    plain = OpenRouterClient("http://openrouter.example/api/v1", "key")
    assert plain.connections is plain.pool and plain.prefix == "http://openrouter.example/api/v1"
    tunnelled = OpenRouterClient("https://openrouter.ai/api/v1", "key")
    assert tunnelled.connections is not tunnelled.pool and tunnelled.prefix == "/api/v1"
    assert tunnelled.connections.host == "openrouter.ai" and tunnelled.connections.proxy.host == "proxy.example"


def test_a_pooled_connection_is_taken_without_yielding_to_other_greenlets(fake):
    """urllib3 checks a pooled connection with a zero-timeout select, which gevent turns into a
    wait on the hub: in a burst of messages each upstream request then left only after every
    other message waiting to run had been read and stored."""
    result = subprocess.run([sys.executable, "-c", TAKE_POOLED, fake.url], capture_output=True, text=True,
                            timeout=60, cwd=ROOT, check=True)
    assert json.loads(result.stdout) == {"yielded": False, "reused": True}


def test_a_connection_the_server_closed_is_not_taken_from_the_pool():
    ours, theirs = socket.socketpair()
    with ours:
        connection = connection_pool("http://127.0.0.1:9").connection_from_url("http://127.0.0.1:9").ConnectionCls(
            "127.0.0.1", 9)
        connection.sock = ours
        assert connection.is_connected and not is_readable_now(ours)
        theirs.close()
        assert is_readable_now(ours) and not connection.is_connected
