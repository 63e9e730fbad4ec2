"""What `assist serve` says before serving: the desks' URLs, the editor's admin key, the command's path."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from assist.cli.welcome import base_url, welcome
from assist.settings import Settings


def test_base_url_reaches_a_wildcard_bind_at_loopback() -> None:
    assert base_url("0.0.0.0", 8000) == "http://127.0.0.1:8000"
    assert base_url("::", 8000) == "http://[::1]:8000"
    assert base_url("127.0.0.1", 9000) == "http://127.0.0.1:9000"


def test_welcome_without_admin_key_says_how_to_set_one(tmp_path: Path) -> None:
    (tmp_path / "activate").touch()
    text = welcome(Settings(), "127.0.0.1", 8000, tmp_path / "assist")
    assert "agent desk      http://127.0.0.1:8000/" in text
    assert "http://127.0.0.1:8000/desk/editor" in text
    assert "none is set" in text and "ASSIST_ADMIN_KEYS=<a key of your own>" in text
    assert f"{tmp_path / 'assist'} --help (or: . {tmp_path / 'activate'}, then assist --help)" in text


def test_welcome_with_keys_names_where_they_come_from(tmp_path: Path) -> None:
    settings = Settings(admin_keys=[SecretStr("an-admin-key")], api_keys=[SecretStr("a-client-key")])
    text = welcome(settings, "0.0.0.0", 8080, tmp_path / "assist")
    assert "one of ASSIST_ADMIN_KEYS" in text and "none is set" not in text
    assert "client keys are set" in text
    assert "(or: ." not in text  # no activate script beside this command
