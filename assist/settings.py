"""One Settings object, read once from the environment (prefix ASSIST_) and an optional .env file."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from assist.errors import ConfigurationError


class Settings(BaseSettings):
    """Everything configurable about assist; validated at start-up, then passed down."""

    model_config = SettingsConfigDict(env_prefix="ASSIST_", env_file=".env", extra="ignore")

    profile: Literal["local", "production"] = "local"
    knowledge_dir: Path = Path("knowledge")
    index_dir: Path = Path("indexes")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list, description="plain keys; hashed at start-up")
    admin_keys: Annotated[list[str], NoDecode] = Field(default_factory=list, description="keys allowed on /v1/admin/*")
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    torch_threads: int = Field(default=1, ge=1, le=64)
    watch_seconds: float = Field(default=2.0, ge=0, description="how often to look for a new version; 0 = never")
    passage_target: int = Field(default=700, ge=100, le=1200)
    log_level: str = "INFO"

    @field_validator("api_keys", "admin_keys", "cors_origins", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def check(self) -> Settings:
        """Refuse combinations that cannot be run safely."""
        if self.profile == "production" and not self.api_keys:
            raise ConfigurationError("profile=production needs ASSIST_API_KEYS (suggest and feedback keys)")
        if self.profile == "production" and not self.admin_keys:
            raise ConfigurationError("profile=production needs ASSIST_ADMIN_KEYS")
        return self

    def key_hashes(self) -> frozenset[str]:
        """SHA-256 digests of the client keys; the plain keys are not kept anywhere else."""
        return frozenset(hashlib.sha256(k.encode()).hexdigest() for k in self.api_keys)

    def admin_key_hashes(self) -> frozenset[str]:
        """SHA-256 digests of the admin keys."""
        return frozenset(hashlib.sha256(k.encode()).hexdigest() for k in self.admin_keys)
