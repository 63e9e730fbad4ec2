from __future__ import annotations

import pytest

from assist.api.origin import LOCAL_HOSTS, origin_allowed, trusted_hosts
from assist.settings import Settings


@pytest.mark.parametrize(("host", "configured"), [("10.0.0.5", ["10.0.0.5"]), ("fd00::5", ["[fd00::5]"]),
                                                  ("0.0.0.0", []), ("::", [])])
def test_trusted_hosts_are_loopback_the_configured_host_and_those_listed(host: str, configured: list[str]) -> None:
    settings = Settings(_env_file=None, host=host, trusted_hosts="assist.example.com, *.desk.example.com")  # type: ignore[call-arg]
    assert trusted_hosts(settings) == [*LOCAL_HOSTS, *configured, "assist.example.com", "*.desk.example.com"]


@pytest.mark.parametrize(("origin", "host", "allowed"), [
    (None, "127.0.0.1:8000", True),  # not a browser
    ("http://127.0.0.1:8000", "127.0.0.1:8000", True),
    ("https://assist.example.com", "assist.example.com", True),  # both on the default port
    ("https://assist.example.com", "assist.example.com:443", True),
    ("http://assist.example.com", "assist.example.com:8000", False),
    ("http://evil.example", "127.0.0.1:8000", False),
    ("http://localhost:8000", "127.0.0.1:8000", False),
    ("null", "127.0.0.1:8000", False),
    ("http://127.0.0.1:bad", "127.0.0.1:8000", False),
    ("http://127.0.0.1:8000", None, False),
    ("https://Desk.Example.com/", "127.0.0.1:8000", True),  # listed
])
def test_a_stream_opens_from_no_origin_its_own_or_a_listed_one(origin: str | None, host: str | None,
                                                               allowed: bool) -> None:
    assert origin_allowed(origin, host, ["https://desk.example.com"]) is allowed


def test_a_listed_star_lets_any_origin_open_the_stream() -> None:
    assert origin_allowed("http://evil.example", "127.0.0.1:8000", ["*"])
