"""The process's connections to the upstream: opened once, kept alive, and taken from the pool
without giving up the event loop.

A pooled keep-alive connection is checked before each request (has the server closed it?). urllib3
asks with a zero-timeout select, which gevent's patched select turns into a wait on the hub: the
request greenlet gave up its turn there, and in a burst of messages each request went out only
after every other message waiting to run had been read and stored (20 arriving together: the
first one's request left some 40 ms after it was opened). The check here asks the kernel directly.
"""
from __future__ import annotations

import os
import select
import socket
import urllib.parse
import urllib.request
from typing import Any

import certifi
import urllib3
from gevent import monkey
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_unpatched_poll = monkey.get_original("select", "poll")


def is_readable_now(sock: socket.socket) -> bool:
    """Whether the socket has data or its end waiting, asked of the kernel at once (never yields)."""
    poller = _unpatched_poll()
    poller.register(sock.fileno(), select.POLLIN)
    return bool(poller.poll(0))


class _CheckedAtOnce:
    """A connection whose "still open?" check does not yield: an idle keep-alive connection with
    nothing to read is still open (urllib3's own rule, asked without the hub)."""

    sock: socket.socket | None

    @property
    def is_connected(self) -> bool:
        return self.sock is not None and not is_readable_now(self.sock)


class _Connection(_CheckedAtOnce, HTTPConnection):
    pass


class _TLSConnection(_CheckedAtOnce, HTTPSConnection):
    pass


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Connection


class _TLSPool(HTTPSConnectionPool):
    ConnectionCls = _TLSConnection


POOLS_BY_SCHEME = {"http": _Pool, "https": _TLSPool}


def connection_pool(base_url: str) -> urllib3.PoolManager:
    """A pool of connections to the upstream: chats reuse open connections (and TLS sessions)
    instead of paying a new handshake per message.

    The environment's proxy settings (HTTPS_PROXY, NO_PROXY, …) and CA bundle
    (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, else certifi's) are read once, here, not per request.
    urllib3 directly, not requests: requests' per-request preparation (merging settings, hooks,
    runtime `typing` protocol checks) cost ~0.6-1 ms of CPU per request, twice per exchange."""
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or certifi.where()
    where = {"ca_cert_dir": bundle} if os.path.isdir(bundle) else {"ca_certs": bundle}
    options: dict[str, Any] = {"num_pools": 4, "maxsize": 200, "block": False, **where}
    proxy = _proxy_for(base_url)
    if proxy is None:
        manager = urllib3.PoolManager(**options)
    else:
        auth = urllib3.util.parse_url(proxy).auth  # http://user:password@proxy:3128
        headers = urllib3.make_headers(proxy_basic_auth=urllib.parse.unquote(auth)) if auth else None
        manager = urllib3.ProxyManager(proxy, proxy_headers=headers, **options)
    manager.pool_classes_by_scheme = POOLS_BY_SCHEME
    return manager


def _proxy_for(url: str) -> str | None:
    """The proxy the environment names for `url` (None when NO_PROXY exempts its host)."""
    proxies = urllib.request.getproxies_environment()
    parts = urllib.parse.urlsplit(url)
    exempt = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]  # public, not in typeshed
    if not proxies or exempt(parts.hostname or "", proxies):
        return None
    return proxies.get(parts.scheme) or proxies.get("all")


def request_target(manager: urllib3.PoolManager, base_url: str) -> tuple[urllib3.PoolManager | HTTPConnectionPool, str]:
    """Where requests to `base_url` are sent, and what their paths are appended to: the host's own
    pool and the URL's path, or, behind a proxy that forwards plain HTTP (it needs absolute URLs
    and its headers), the manager and the whole URL. `PoolManager.request` parses the URL, copies
    the headers and looks the host's pool up again on every request: a quarter of a request's CPU
    (bench/RESULTS.md, issue 24). A client's manager serves its one host, so its pool is never
    evicted."""
    url = urllib3.util.parse_url(base_url)
    if isinstance(manager, urllib3.ProxyManager) and url.scheme == "http":
        return manager, base_url
    return manager.connection_from_url(base_url), url.path or ""
