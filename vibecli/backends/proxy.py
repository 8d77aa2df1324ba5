"""Reaching a server the way the user's network asks: HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY.

The variables mean what they mean to curl and requests (read by urllib's `getproxies_environment`,
lower case first; HTTP_PROXY is ignored in a CGI request, as httpoxy advises; NO_PROXY names hosts
and domains that are reached directly, `*` all of them). One rule of our own, Go's net/http rule:
a loopback host (localhost, 127.0.0.0/8, ::1) is always reached directly, since a proxy cannot reach
the user's own machine and a llama.cpp server on 127.0.0.1 is the common case.
"""

from __future__ import annotations

import base64
import http.client
import ipaddress
import ssl
import urllib.request
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, urlsplit

from vibecli.core import VibeError


@dataclass(frozen=True)
class Proxy:
    host: str
    port: int
    authorization: str | None
    """`Basic ...` from the proxy URL's user and password, sent as Proxy-Authorization."""
    url: str
    """For messages, without the password."""


def proxy_for(parts: SplitResult) -> Proxy | None:
    """The proxy to reach this URL through, or None to connect directly."""
    if _loopback(parts.hostname or ""):
        return None
    proxies = urllib.request.getproxies_environment()
    if not proxies or urllib.request.proxy_bypass_environment(_host_port(parts), proxies):
        return None
    value = proxies.get(parts.scheme) or proxies.get("all")
    if not value:
        return None
    proxy = urlsplit(value if "://" in value else f"http://{value}")
    if proxy.scheme != "http" or not proxy.hostname:
        raise VibeError(f"the proxy {_shown(proxy)} for {parts.scheme}:// is not an http:// proxy; vibecli speaks "
                        "to http:// proxies only (set NO_PROXY to reach the endpoint directly)")
    authorization = None
    if proxy.username is not None:
        pair = f"{unquote(proxy.username)}:{unquote(proxy.password or '')}".encode()
        authorization = "Basic " + base64.b64encode(pair).decode("ascii")
    return Proxy(proxy.hostname, proxy.port or 80, authorization, _shown(proxy))


def connection(parts: SplitResult, timeout: float, proxy: Proxy | None) -> tuple[http.client.HTTPConnection, str]:
    """A connection for this URL and the request target to send on it (an absolute URL through an
    http:// proxy; an https:// URL goes through a CONNECT tunnel, so its TLS is with the server)."""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    if parts.scheme == "https":
        context = ssl.create_default_context()
        if proxy is None:
            return http.client.HTTPSConnection(parts.hostname, port, timeout=timeout, context=context), path
        conn = http.client.HTTPSConnection(proxy.host, proxy.port, timeout=timeout, context=context)
        headers = {"Proxy-Authorization": proxy.authorization} if proxy.authorization else None
        conn.set_tunnel(parts.hostname, port, headers=headers)
        return conn, path
    if proxy is None:
        return http.client.HTTPConnection(parts.hostname, port, timeout=timeout), path
    conn = http.client.HTTPConnection(proxy.host, proxy.port, timeout=timeout)
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    return conn, f"http://{host}:{port}{path}"


def _loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_port(parts: SplitResult) -> str:
    return f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname or ""


def _shown(url: SplitResult) -> str:
    netloc = url.hostname or ""
    if url.port:
        netloc += f":{url.port}"
    return f"{url.scheme}://{netloc}"
