"""The service and the index commands as the benchmark runs them: separate processes, timed, time-limited."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from assist.index.versions import current_version
from assist_eval.bench_results import BenchError

POLL_SECONDS = 0.05


def assist_command(*args: str) -> list[str]:
    """The `assist` command line of this environment (the script beside this Python)."""
    script = Path(sys.executable).parent / "assist"
    if script.is_file():
        return [str(script), *args]
    return [sys.executable, "-c", "from assist.cli import app; app()", *args]


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def timed(step: str, command: list[str], timeout: float, log: Path, env: dict[str, str] | None = None) -> float:
    """Run `command` to completion (output appended to `log`); its wall-clock seconds, or BenchError."""
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(command)}\n".encode())
        out.flush()
        start = time.perf_counter()
        try:
            done = subprocess.run(command, stdout=out, stderr=out, timeout=timeout, check=False,
                                  env={**os.environ, **(env or {})})
        except subprocess.TimeoutExpired as exc:
            raise BenchError(f"{step}: not finished within {timeout:g} s (see {log})") from exc
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise BenchError(f"{step}: exit {done.returncode} (see {log})")
    return seconds


def get_json(url: str, timeout: float = 2.0) -> tuple[int, dict[str, Any]]:
    """GET a JSON document: (status, body); status 0 when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {}
    except (OSError, ValueError):
        return 0, {}


class Server:
    """`assist serve` as a child process: started, waited for, measured and always stopped."""

    def __init__(self, knowledge: Path, index_dir: Path, port: int, log: Path, env: dict[str, str]) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self._command = assist_command("serve", "--knowledge", str(knowledge), "--index-dir", str(index_dir),
                                       "--port", str(port))
        self.index_dir, self._log, self._env = index_dir, log, env
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        """The server's process id."""
        if self._process is None:
            raise BenchError("serve: the server is not running")
        return self._process.pid

    def start(self, timeout: float) -> float:
        """Start the server; seconds until GET /readyz answers 200."""
        with self._log.open("ab") as out:
            start = time.perf_counter()
            self._process = subprocess.Popen(self._command, stdout=out, stderr=out, start_new_session=True,
                                             env={**os.environ, **self._env})
        while time.perf_counter() - start < timeout:
            if self._process.poll() is not None:
                raise BenchError(f"serve: exited with {self._process.returncode} before ready (see {self._log})")
            if get_json(self.url + "/readyz", timeout=1.0)[0] == 200:
                return time.perf_counter() - start
            time.sleep(POLL_SECONDS)
        raise BenchError(f"serve: not ready within {timeout:g} s (see {self._log})")

    def serving(self) -> str | None:
        """The index version /readyz names now."""
        status, body = get_json(self.url + "/readyz")
        return body.get("index_version") if status == 200 else None

    def wait_for_version(self, version: str, timeout: float) -> float:
        """Seconds until /readyz names `version`."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if self.serving() == version:
                return time.perf_counter() - start
            time.sleep(POLL_SECONDS)
        raise BenchError(f"update: the server did not serve {version} within {timeout:g} s (see {self._log})")

    def time_update(self, command: list[str], timeout: float) -> tuple[float, float, str]:
        """Run an index update while watching /readyz: (seconds the command took, seconds until the server
        names a new version, that version), both counted from the command's start."""
        before = self.serving()
        with self._log.open("ab") as out:
            start = time.perf_counter()
            process = subprocess.Popen(command, stdout=out, stderr=out, env={**os.environ, **self._env})
        finished: float | None = None
        try:
            while (elapsed := time.perf_counter() - start) < timeout:
                if finished is None and process.poll() is not None:
                    if process.returncode != 0 or current_version(self.index_dir) == before:
                        raise BenchError(f"update: exit {process.returncode}, no new version (see {self._log})")
                    finished = elapsed
                now = self.serving()
                if now is not None and now != before:
                    if finished is None:  # served before the command exited: it is finishing
                        finished = self._finish(process, max(1.0, timeout - elapsed)) - start
                    return finished, elapsed, now
                time.sleep(POLL_SECONDS)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
        raise BenchError(f"update: no new version served within {timeout:g} s (see {self._log})")

    def _finish(self, process: subprocess.Popen[bytes], timeout: float) -> float:
        """Wait for a command that already published; the clock time it exited."""
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise BenchError(f"update: published, but not finished within {timeout:g} s (see {self._log})") from exc
        if code != 0:
            raise BenchError(f"update: exit {code} (see {self._log})")
        return time.perf_counter()

    def peak_rss_mib(self) -> float:
        """The server's peak resident memory so far (VmHWM), in MiB."""
        return status_kib(Path(f"/proc/{self.pid}/status"), "VmHWM") / 1024

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited within 30 s."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def status_kib(path: Path, key: str) -> int:
    """One `key: N kB` field of a /proc/PID/status file."""
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition(":")
        if name == key:
            return int(value.split()[0])
    raise BenchError(f"no {key} in {path}")
