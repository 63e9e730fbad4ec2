"""Who may talk to the server from a browser: the Host names it answers (against DNS rebinding, for HTTP and the
stream alike) and the page origins that may open /v1/stream (CORS does not apply to WebSockets)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from assist.settings import Settings

LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")  # Starlette compares IPv6 hosts with their brackets
_UNSPECIFIED = frozenset({"", "0.0.0.0", "::"})  # bind-everywhere addresses, not names a client asks for
_DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443}


def trusted_hosts(settings: Settings) -> list[str]:
    """The Host header values served: loopback, the configured host, and ASSIST_TRUSTED_HOSTS."""
    host = settings.host
    configured = [] if host in _UNSPECIFIED else [f"[{host}]" if ":" in host else host]
    return [*LOCAL_HOSTS, *configured, *settings.trusted_hosts]


def origin_allowed(origin: str | None, host: str | None, listed: Sequence[str]) -> bool:
    """Whether a WebSocket request may open: no Origin (not a browser), the page's own origin (Origin's host and
    port are the Host header's), or an origin `listed` (ASSIST_CORS_ORIGINS, where `*` allows any)."""
    if origin is None:
        return True
    if "*" in listed or _plain(origin) in {_plain(item) for item in listed}:
        return True
    scheme = urlsplit(origin).scheme.lower()
    page = _address(origin, scheme)
    return page is not None and host is not None and page == _address(f"//{host}", scheme)


def _plain(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


def _address(url: str, scheme: str) -> tuple[str, int] | None:
    """(host, port) of `url`, the port defaulting to the scheme's; None when it has no host or a bad port."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.hostname, port if port is not None else _DEFAULT_PORTS.get(scheme, 0)
