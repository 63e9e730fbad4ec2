"""What `assist serve` says before it serves: where the desks are, which key the editor's desk asks for, and
where the `assist` command is (a new user finds neither on their own: the command lives in the venv, not on
PATH, and the editor's desk is closed until an admin key is set)."""

from __future__ import annotations

import sys
from pathlib import Path

from assist.settings import Settings

# An address that listens on every interface is reached, from this machine, at the loopback one.
_REACHED_AT = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def base_url(host: str, port: int) -> str:
    """The URL a browser on this machine opens for a server bound to `host:port`."""
    host = _REACHED_AT.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def admin_key_hint(settings: Settings) -> str:
    """Which admin key the editor's desk asks for, or how to set one when none is."""
    if settings.admin_keys:
        return "it asks for an admin key: one of ASSIST_ADMIN_KEYS"
    if settings.admin_key_sha256:
        return "it asks for an admin key: one whose SHA-256 is in ASSIST_ADMIN_KEY_SHA256"
    return ("it asks for an admin key, and none is set: stop (Ctrl-C) and start again with "
            "ASSIST_ADMIN_KEYS=<a key of your own> (or put that line in .env)")


def command_hint(executable: Path) -> str:
    """How to run the `assist` command that is running now, from outside its venv."""
    bin_dir = executable.parent
    activate = bin_dir / "activate"
    also = f" (or: . {activate}, then assist --help)" if activate.exists() else ""
    return f"{bin_dir / 'assist'} --help{also}"


def welcome(settings: Settings, host: str, port: int, executable: Path | None = None) -> str:
    """The lines `assist serve` prints before serving."""
    url = base_url(host, port)
    client = "  (client keys are set: give one in its API key field)" if settings.key_hashes() else ""
    program = executable or Path(sys.argv[0])  # as the user typed it: relative from a checkout
    return "\n".join([
        f"assist serves on {url} once it says it is running:",
        f"  agent desk      {url}/{client}",
        f"  editor's desk   {url}/desk/editor — {admin_key_hint(settings)}",
        f"  assist command  {command_hint(program)}",
    ])
