from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assist.api.security import KeyRing
from assist.cli import app
from assist.digest import sha256
from assist.errors import ConfigurationError
from assist.knowledge.articles import MAX_ARTICLE_BYTES
from assist.knowledge.passages import DEFAULT_TARGET, MAX_CHARS
from assist.settings import Settings

LONG = "k" * 16


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_settings_keep_keys_as_digests_and_never_show_them() -> None:
    settings = _settings(api_keys="first-key, second-key", admin_keys=["admin-key"])
    assert settings.key_hashes() == {hashlib.sha256(k.encode()).hexdigest() for k in ("first-key", "second-key")}
    assert settings.admin_key_hashes() == {sha256("admin-key")}
    assert "first-key" not in repr(settings) and "admin-key" not in repr(settings)


def test_settings_accept_pre_hashed_keys() -> None:
    hashed = sha256("only-the-hash-is-configured")
    settings = _settings(api_key_sha256=hashed.upper())
    assert KeyRing(settings.key_hashes()).accepts("only-the-hash-is-configured")


def test_settings_refuse_a_malformed_key_sha256() -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        _settings(admin_key_sha256="abc")


def test_local_profile_runs_without_keys() -> None:
    assert _settings().key_hashes() == frozenset()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "ASSIST_API_KEYS"),
        ({"api_keys": " , "}, "ASSIST_API_KEYS"),
        ({"api_keys": LONG}, "ASSIST_ADMIN_KEYS"),
        ({"api_keys": "short", "admin_keys": LONG}, "shorter than 16"),
        ({"api_keys": LONG, "admin_keys": "a" * 16, "cors_origins": "*"}, "CORS"),
        ({"api_keys": LONG, "admin_keys": "a" * 16, "trusted_hosts": "assist.example.com,*"}, "TRUSTED_HOSTS"),
    ],
)
def test_production_profile_refuses_unsafe_settings(values: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        _settings(profile="production", **values)


@pytest.mark.parametrize("pattern", ["assist.*.com", "*example.com", "*.*.example.com"])
def test_settings_refuse_a_trusted_host_wildcard_starlette_cannot_match(pattern: str) -> None:
    with pytest.raises(ValueError, match="a wildcard is"):
        _settings(trusted_hosts=pattern)


def test_production_profile_with_keys_is_accepted() -> None:
    settings = _settings(profile="production", api_keys=LONG, admin_key_sha256=sha256("x"))
    assert settings.profile == "production"


@pytest.mark.parametrize("profile", ["local", "production"])
@pytest.mark.parametrize(
    "keys",
    [
        {"api_keys": f"{LONG}, other-key-0123456", "admin_keys": LONG},
        {"api_keys": LONG, "admin_key_sha256": sha256(LONG)},
        {"api_key_sha256": sha256(LONG), "admin_keys": f"admin-key-0123456,{LONG}"},
    ],
)
def test_settings_refuse_a_key_that_is_both_a_client_and_an_admin_key(profile: str, keys: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError, match="both as a client key and as an admin key") as refused:
        _settings(profile=profile, **keys)
    assert LONG not in str(refused.value) and sha256(LONG) not in str(refused.value)


def test_serve_refuses_to_start_in_production_without_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("ASSIST_PROFILE", "production")
    monkeypatch.delenv("ASSIST_API_KEYS", raising=False)
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "ASSIST_API_KEYS" in result.output


def test_settings_refuse_unsafe_production_whatever_builds_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSIST_PROFILE", "production")
    with pytest.raises(ConfigurationError, match="ASSIST_API_KEYS"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_settings_bounds_match_the_domain_they_configure() -> None:
    target = Settings.model_fields["passage_target"]
    assert target.default == DEFAULT_TARGET
    assert max(m.le for m in target.metadata if hasattr(m, "le")) == MAX_CHARS
    assert Settings.model_fields["max_article_bytes"].default == MAX_ARTICLE_BYTES


def test_settings_load_names_the_variable_of_a_bad_value(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("ASSIST_PORT", "eighty")
    with pytest.raises(ConfigurationError, match="ASSIST_PORT"):
        Settings.load()


def test_settings_take_a_sentence_transformers_model_directory() -> None:
    from assist.index.embedder import source_path

    assert _settings(model_dir=str(source_path())).model_dir == source_path()
    assert _settings().model_dir is None


def test_settings_refuse_a_model_directory_without_the_model_files(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ValueError, match=r"not a sentence-transformers model directory \(no modules.json, "):
        _settings(model_dir=str(tmp_path))
