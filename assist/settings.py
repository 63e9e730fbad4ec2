"""One Settings object, read once from the environment (prefix ASSIST_) and an optional .env file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from assist.digest import sha256
from assist.errors import ConfigurationError
from assist.limits import CUE_CHARS, CUE_SECONDS, MAX_TURN_CHARS, MAX_TURNS, READ_CHARS, READ_TURN_CHARS, READ_TURNS

MIN_PRODUCTION_KEY = 16
MODEL_FILES = ("modules.json", "config.json", "tokenizer.json", "sentence_bert_config.json", "1_Pooling/config.json")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Bounds:
    """An inclusive range a setting and the command-line option that overrides it share."""

    ge: int
    le: int


RETENTION_DAYS = Bounds(1, 36_500)  # a hundred years: beyond that a date before it cannot be computed


class Settings(BaseSettings):
    """Everything configurable about assist; validated at start-up, then passed down.

    Keys may be given plain (`ASSIST_API_KEYS`, hashed at start-up and never logged: they are SecretStr)
    or already hashed (`ASSIST_API_KEY_SHA256`, hex SHA-256), so no plain key need sit in the environment.
    """

    model_config = SettingsConfigDict(env_prefix="ASSIST_", env_file=".env", extra="ignore")

    profile: Literal["local", "production"] = "local"
    knowledge_dir: Path = Path("knowledge")
    index_dir: Path = Path("indexes")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list, description="suggest/feedback keys")
    api_key_sha256: Annotated[list[str], NoDecode] = Field(default_factory=list, description="hex SHA-256 of keys")
    admin_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list, description="/v1/admin/* keys")
    admin_key_sha256: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # The largest contract-valid suggest request (200 turns of 5,000 characters) is about 1.1 MB of ASCII.
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    torch_threads: int = Field(default=1, ge=1, le=64)
    watch_seconds: float = Field(default=2.0, ge=0, description="how often to look for a new version; 0 = never")
    # The same bounds as assist.knowledge.passages (DEFAULT_TARGET, MAX_CHARS); settings import no domain module.
    passage_target: int = Field(default=450, ge=100, le=1200)
    # the event store (suggestions and feedback): SQLite under data_dir unless a database URL is given
    data_dir: Path = Field(default=Path("data"), description="where the default SQLite event store lives")
    database_url: str | None = Field(default=None, description="any SQLAlchemy URL, e.g. postgresql+psycopg://…")
    record_suggestions: bool = Field(default=True, description="store every suggestion for feedback and reports")
    record_queue: int = Field(default=10_000, ge=1, le=10_000_000, description="suggestions waiting to be stored")
    stream_idle_seconds: float = Field(default=900, gt=0, le=86_400, description="a silent /v1/stream closes")
    id_key: SecretStr | None = Field(default=None, description="key of the stored conversation/agent id hashes; "
                                     "unset: a random key kept in the event store")
    retention_days: int = Field(default=90, ge=RETENTION_DAYS.ge, le=RETENTION_DAYS.le,
                                description="`assist db prune` deletes older events")
    log_level: str = "INFO"
    # knowledge tree
    max_article_bytes: int = Field(default=1024 * 1024, ge=1024, description="larger articles are skipped")
    # index: exact search below this many passages, IVF-Flat from there on (assist.index.files.ANN_FROM)
    ann_threshold: int = Field(default=50_000, ge=1, description="passages from which an ANN index is built")
    workers: int = Field(default=1, ge=1, le=16, description="server processes; each loads the model and index")
    # request bounds: what one request may cost, and how long a connection may take to send one
    request_deadline_seconds: float = Field(default=2.0, gt=0, le=600, description="answer within this or 503")
    read_turns: int = Field(default=READ_TURNS, ge=1, le=MAX_TURNS,
                            description="latest turns ranking reads (plus the opening)")
    read_turn_chars: int = Field(default=READ_TURN_CHARS, ge=100, le=MAX_TURN_CHARS,
                                 description="characters read of each turn")
    read_chars: int = Field(default=READ_CHARS, ge=100, le=1_000_000,
                            description="characters read (and embedded) in all")
    cue_seconds: float = Field(default=CUE_SECONDS, gt=0, le=10,
                               description="time all cue patterns may take per request")
    cue_chars: int = Field(default=CUE_CHARS, ge=100, le=MAX_TURN_CHARS,
                           description="characters of each turn cues run over")
    keepalive_seconds: int = Field(default=5, ge=1, le=300, description="idle keep-alive connections close after")
    request_read_seconds: float = Field(default=10.0, gt=0, le=300, description="headers and body must arrive in")
    max_connections: int = Field(default=256, ge=1, le=100_000, description="beyond this, 503 at once")
    trusted_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list, description="Host names served "
                                                          "besides localhost and ASSIST_HOST; '*.x.com' or '*'")
    # calls followed over REST: each conversation_id's state (procedure, transcript read), bounded and expiring
    call_memory: int = Field(default=10_000, ge=1, le=10_000_000, description="calls whose state REST keeps")
    call_memory_seconds: float = Field(default=3600, gt=0, le=86_400, description="a call's state expires after "
                                       "this long without a request")
    # the stream (/v1/stream): a budget of its own, apart from HTTP's connections and threads (assist.api.budget)
    stream_max: int = Field(default=128, ge=1, le=100_000, description="streams open at once; beyond, 1013")
    stream_max_per_client: int = Field(default=32, ge=1, le=100_000, description="from one address, until keyed")
    stream_max_per_key: int = Field(default=64, ge=1, le=100_000, description="streams open under one client key")
    stream_first_message_seconds: float = Field(default=5, gt=0, le=300, description="the first message (and key) "
                                                "must arrive within")
    stream_messages_per_second: float = Field(default=5, gt=0, le=10_000, description="a socket's sustained rate")
    # A whole call (context, facts, 200 turns: assist.limits.MAX_TURNS) is replayed after a reconnect.
    stream_message_burst: int = Field(default=250, ge=1, le=100_000, description="messages a socket may send at once")
    stream_threads: int = Field(default=4, ge=1, le=64, description="stream suggestions computed at once")
    # edge and operations
    public_metrics: bool = Field(default=False, description="production: serve /metrics without an admin key")
    public_docs: bool = Field(default=False, description="production: serve /docs and /openapi.json")
    # encoder: an index is queried with the encoder that built it, so switching means rebuilding
    encoder: Literal["torch", "onnx"] = Field(default="onnx", description="onnx (int8, 2x faster) or torch")
    model_dir: Path | None = Field(default=None, description="a sentence-transformers directory (a fine-tuned "
                                   "copy of the packaged all-MiniLM-L6-v2) to embed with instead of the package")
    model_cache: Path = Field(default_factory=lambda: Path.home() / ".cache" / "assist" / "models",
                              description="where the onnx encoder keeps its one-off export of the packaged model")

    @field_validator("api_keys", "api_key_sha256", "admin_keys", "admin_key_sha256", "cors_origins", "trusted_hosts",
                     mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("api_key_sha256", "admin_key_sha256")
    @classmethod
    def _hex_digests(cls, value: list[str]) -> list[str]:
        for item in value:
            if not _SHA256.fullmatch(item.lower()):
                raise ValueError("expected hex SHA-256 digests (64 hex characters)")
        return [item.lower() for item in value]

    @field_validator("trusted_hosts")
    @classmethod
    def _host_patterns(cls, value: list[str]) -> list[str]:
        for item in value:  # the patterns Starlette's TrustedHostMiddleware accepts
            if "*" in item[1:] or (item.startswith("*") and item != "*" and not item.startswith("*.")):
                raise ValueError(f"{item!r}: a wildcard is '*' alone or a leading '*.', as in '*.example.com'")
        return value

    @field_validator("model_dir")
    @classmethod
    def _model_directory(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        missing = [name for name in MODEL_FILES if not (value / name).is_file()]
        if missing:  # both encoders read these: the modules, the pooling (ONNX export), the tokenizer (ONNX run)
            raise ValueError(f"{value}: not a sentence-transformers model directory (no {', '.join(missing)})")
        return value

    @property
    def store_id_key(self) -> str | None:
        """The pseudonym key for the event store, when one is configured."""
        return self.id_key.get_secret_value() if self.id_key else None

    @property
    def store_url(self) -> str:
        """The event store's database: ASSIST_DATABASE_URL, else SQLite in ASSIST_DATA_DIR."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'assist.db').resolve()}"

    @classmethod
    def load(cls) -> Settings:
        """Settings from the environment and `.env`; a bad value is a ConfigurationError naming its variable."""
        try:
            return cls()
        except ValidationError as exc:
            problems = [f"ASSIST_{'_'.join(str(part) for part in e['loc']).upper()}: {e['msg']}" for e in exc.errors()]
            raise ConfigurationError("; ".join(problems)) from exc

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        """Refuse, on construction, combinations that cannot be run safely: whatever entry point builds the
        settings (CLI, server, a test), a production profile without keys never starts."""
        if self.key_hashes() & self.admin_key_hashes():
            raise ConfigurationError("a key is configured both as a client key and as an admin key; "
                                     "give admin routes keys of their own")
        if self.profile != "production":
            return self
        if not self.key_hashes():
            raise ConfigurationError("profile=production needs ASSIST_API_KEYS or ASSIST_API_KEY_SHA256 "
                                     "(keys for suggest and feedback)")
        if not self.admin_key_hashes():
            raise ConfigurationError("profile=production needs ASSIST_ADMIN_KEYS or ASSIST_ADMIN_KEY_SHA256")
        if any(len(k.get_secret_value()) < MIN_PRODUCTION_KEY for k in [*self.api_keys, *self.admin_keys]):
            raise ConfigurationError(f"profile=production refuses keys shorter than {MIN_PRODUCTION_KEY} characters")
        if "*" in self.cors_origins:
            raise ConfigurationError("profile=production refuses ASSIST_CORS_ORIGINS='*'; list the origins")
        if "*" in self.trusted_hosts:
            raise ConfigurationError("profile=production refuses ASSIST_TRUSTED_HOSTS='*'; list the host names")
        return self

    def key_hashes(self) -> frozenset[str]:
        """SHA-256 digests of the client keys; the plain keys are not kept anywhere else."""
        return frozenset(sha256(k.get_secret_value()) for k in self.api_keys) | frozenset(self.api_key_sha256)

    def admin_key_hashes(self) -> frozenset[str]:
        """SHA-256 digests of the admin keys."""
        return frozenset(sha256(k.get_secret_value()) for k in self.admin_keys) | frozenset(self.admin_key_sha256)
