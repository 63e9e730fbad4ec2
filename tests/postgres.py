"""A throw-away PostgreSQL server for tests.

    with postgres_server() as url:  # postgresql+psycopg://assist@127.0.0.1:PORT/assist
        engine = sqlalchemy.create_engine(url)

Uses Debian's PostgreSQL 15 (/usr/lib/postgresql/15/bin), installing the `postgresql` package first when it is
missing and we run as root. PostgreSQL refuses to run as root, so as root the server is initialised and run as the
`postgres` user in a temporary directory that user owns; as anyone else it runs as the current user. Every server
is stopped (`pg_ctl stop -m fast`) and its directory removed on the way out, also when starting it failed.
Where no server can be had (not installed and not root, no network, no `postgres` user) `PostgresUnavailable` says
why, for `pytest.skip(str(error))`.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")
USER = "assist"  # the superuser initdb creates, with trust authentication
DATABASE = "assist"
INSTALL_TIMEOUT_S = 600.0
COMMAND_TIMEOUT_S = 120.0
READY_TIMEOUT_S = 30.0
START_ATTEMPTS = 3  # a new free port each time: another process may take the one picked before the server binds it


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server can be started here; the message says why."""


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Start a fresh PostgreSQL server on a free loopback port; yield its SQLAlchemy URL; stop and remove it."""
    as_postgres = os.geteuid() == 0
    _ensure_installed(as_root=as_postgres)
    owner = _postgres_user() if as_postgres else None
    # As root, a directory under /tmp: the `postgres` user must be able to reach it, which a root-only TMPDIR forbids.
    base = Path(tempfile.mkdtemp(prefix="assist-pg-", dir="/tmp" if as_postgres else None))
    data = base / "data"
    log = base / "log"
    initialised = False
    try:
        if owner is not None:
            os.chown(base, owner.pw_uid, owner.pw_gid)
        _run(
            [str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", USER, "-E", "UTF8", "--no-locale",
             "--no-sync"],
            as_postgres=as_postgres, cwd=base, what="initdb",
        )
        initialised = True
        port = _start(data, base, log, as_postgres=as_postgres)
        _run(
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", USER, DATABASE],
            as_postgres=as_postgres, cwd=base, what="createdb", log=log,
        )
        _wait_ready(port, base, log, as_postgres=as_postgres)
        yield f"postgresql+psycopg://{USER}@127.0.0.1:{port}/{DATABASE}"
    finally:
        if initialised:
            _stop(data, base, as_postgres=as_postgres)
        shutil.rmtree(base, ignore_errors=True)


def _ensure_installed(*, as_root: bool) -> None:
    if (PG_BIN / "initdb").is_file() and (PG_BIN / "pg_ctl").is_file():
        return
    if not as_root:
        raise PostgresUnavailable(f"PostgreSQL 15 is not installed ({PG_BIN} has no initdb) and, not being root, "
                                  "the tests cannot apt-get install it")
    if shutil.which("apt-get") is None:
        raise PostgresUnavailable(f"PostgreSQL 15 is not installed ({PG_BIN} has no initdb) and there is no apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "-o", "Dpkg::Use-Pty=0", "postgresql"]
    failure = ""
    for commands in ([install], [["apt-get", "update", "-q"], install]):  # stale package lists: update, try again
        try:
            for command in commands:
                done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S,
                                      check=False)
                if done.returncode != 0:
                    failure = f"`{shlex.join(command)}` failed ({done.returncode}): {_tail(done.stderr or done.stdout)}"
                    break
        except subprocess.TimeoutExpired:
            failure = f"`{shlex.join(command)}` took over {INSTALL_TIMEOUT_S:.0f} s"
        if (PG_BIN / "initdb").is_file():
            return
    raise PostgresUnavailable(f"PostgreSQL 15 is not installed and could not be installed: {failure or 'no initdb'}")


def _postgres_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable("running as root, and there is no `postgres` user to run PostgreSQL as") from None


def _start(data: Path, base: Path, log: Path, *, as_postgres: bool) -> int:
    for attempt in range(1, START_ATTEMPTS + 1):
        port = _free_port()
        options = f"-p {port} -k {shlex.quote(str(base))} -c listen_addresses=127.0.0.1 -c fsync=off"
        try:
            _run(
                [str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "-t", "60", "start"],
                as_postgres=as_postgres, cwd=base, what="pg_ctl start", log=log,
            )
            return port
        except RuntimeError:
            if attempt == START_ATTEMPTS or "Address already in use" not in _read(log):
                raise
    raise AssertionError("unreachable")


def _wait_ready(port: int, base: Path, log: Path, *, as_postgres: bool) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    command = [str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port), "-U", USER, "-d", DATABASE]
    while True:
        if _run(command, as_postgres=as_postgres, cwd=base, what="pg_isready", check=False).returncode == 0:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"PostgreSQL on port {port} accepted no connection in {READY_TIMEOUT_S:.0f} s; "
                               f"its log ends: {_tail(_read(log))}")
        time.sleep(0.1)


def _stop(data: Path, base: Path, *, as_postgres: bool) -> None:
    if not (data / "postmaster.pid").exists():
        return
    for mode in ("fast", "immediate"):
        stopped = _run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", mode, "-w", "-t", "60", "stop"],
                       as_postgres=as_postgres, cwd=base, what="pg_ctl stop", check=False)
        if stopped.returncode == 0 or not (data / "postmaster.pid").exists():
            return


def _run(
    command: list[str], *, as_postgres: bool, cwd: Path, what: str, log: Path | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL program, as the `postgres` user when `as_postgres`, in `cwd` (a directory it can enter)."""
    argv = ["su", "postgres", "-c", shlex.join(command)] if as_postgres else command
    try:
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        if not check:
            return subprocess.CompletedProcess(argv, 124, "", f"timed out after {COMMAND_TIMEOUT_S:.0f} s")
        raise RuntimeError(f"{what} took over {COMMAND_TIMEOUT_S:.0f} s") from None
    if check and done.returncode != 0:
        detail = _tail(done.stderr or done.stdout)
        if log is not None:
            detail += f"; server log ends: {_tail(_read(log))}"
        raise RuntimeError(f"{what} failed ({done.returncode}): {detail}")
    return done


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def _tail(text: str, lines: int = 8) -> str:
    return " | ".join(text.strip().splitlines()[-lines:])
