"""Load on /v1/suggest with wrk: real Doc2Dial transcripts, each dialogue's growing prefixes in order.

wrk runs as its own process with one thread and one connection per simulated desktop (`-t c -c c`); its Lua
script reads the request bodies from a file and each thread walks its own slice of the dialogues. When a
thread has posted its whole slice it starts again with white space put before every turn: the same words, but
texts the service's turn-vector cache has not seen, so every request still brings new turns.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assist_eval.bench_results import BenchError, Row, ratio

SCRIPT = r"""-- Written by `assist eval bench`: posts Doc2Dial transcripts to /v1/suggest as agent desktops would.
-- Each wrk thread (one connection) walks its own slice of the dialogues, every dialogue's prefixes in order.
local threads = {}
local headers = {["Content-Type"] = "application/json"}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

-- White space before every turn, different for each round and pass: unseen texts, the same words.
local function marker(n)
  local s = ""
  while n > 0 do
    s = ((n % 2 == 1) and "\\t" or " ") .. s
    n = math.floor(n / 2)
  end
  return s
end

function init(args)
  local slices = tonumber(os.getenv("BENCH_SLICES"))
  round = tonumber(os.getenv("BENCH_ROUND"))
  bodies, starts = {}, {}
  local previous = nil
  for line in io.lines(os.getenv("BENCH_BODIES")) do
    local dialogue, body = line:match("^(%d+) (.*)$")
    if dialogue and tonumber(dialogue) % slices == id then
      table.insert(bodies, body)
      starts[#bodies] = dialogue ~= previous
      previous = dialogue
    end
  end
  if #bodies == 0 then error("no dialogues for wrk thread " .. id) end
  position, passes, dialogues = 0, 0, 0
  prefix = marker(round * 1000)
  -- wrk calls request() once on the first thread's state to check the script before any connection opens
  checking = id == 0
end

function request()
  if checking then
    checking = false
    return wrk.format("POST", "/v1/suggest", headers, bodies[1])
  end
  if position == #bodies then
    position, passes = 0, passes + 1
    prefix = marker(round * 1000 + passes)
  end
  position = position + 1
  if starts[position] then dialogues = dialogues + 1 end
  local body = bodies[position]
  if prefix ~= "" then body = body:gsub('"text": "', '"text": "' .. prefix) end
  return wrk.format("POST", "/v1/suggest", headers, body)
end

function done(summary, latency, requests)
  local passes, dialogues = 0, 0
  for _, thread in ipairs(threads) do
    passes = math.max(passes, thread:get("passes"))
    dialogues = dialogues + thread:get("dialogues")
  end
  local e = summary.errors
  local out = assert(io.open(os.getenv("BENCH_RESULT"), "w"))
  out:write(string.format(
    '{"requests": %.0f, "duration_us": %.0f, "p50_us": %.0f, "p95_us": %.0f, "p99_us": %.0f, "max_us": %.0f, '
    .. '"errors": %.0f, "status_errors": %.0f, "dialogues": %.0f, "passes": %.0f}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, e.connect + e.read + e.write + e.timeout, e.status, dialogues, passes))
  out:close()
end
"""


@dataclass(frozen=True)
class LoadResult:
    """One fixed-duration wrk run at one concurrency."""

    concurrency: int
    seconds: float
    requests: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int  # connect, read, write errors and timeouts
    status_errors: int  # responses with status ≥ 400
    dialogues: int
    passes: int  # how many times a thread started its slice again (0: no transcript posted twice)

    @property
    def per_second(self) -> float:
        """Requests completed per second."""
        return self.requests / self.seconds if self.seconds > 0 else 0.0


def dialogue_bodies(queries: Path) -> list[list[dict[str, Any]]]:
    """Suggest requests per Doc2Dial dialogue, its growing transcripts in order (dialogues in file order)."""
    dialogues: dict[str, list[tuple[int, list[dict[str, str]]]]] = {}
    for line in queries.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        query = json.loads(line)
        dialogue, _, turn = str(query["qid"]).rpartition("_")
        dialogues.setdefault(dialogue or query["qid"], []).append((int(turn) if turn.isdigit() else 0,
                                                                    query["transcript"]))
    return [
        [{"conversation_id": f"bench-{name}", "customer": {"id": "bench", "segment": "standard"},
          "transcript": transcript, "limit": 10}
         for _, transcript in sorted(prefixes, key=lambda item: item[0])]
        for name, prefixes in dialogues.items()
    ]


def body_lines(dialogues: Sequence[Sequence[dict[str, Any]]]) -> str:
    """The bodies file the Lua script reads: `<dialogue number> <JSON body>` per line, dialogues in order."""
    return "".join(f"{n} {json.dumps(body)}\n" for n, bodies in enumerate(dialogues) for body in bodies)


def ensure_wrk() -> str:
    """The wrk executable; installed with apt-get when missing and this process may do so."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        install = ["apt-get", "install", "-y", "wrk"]
        for command in (install, ["apt-get", "update"], install):
            subprocess.run(command, capture_output=True, timeout=600, check=False)
            if shutil.which("wrk"):
                return str(shutil.which("wrk"))
    raise BenchError("load: wrk is not installed and could not be installed; run `apt-get install -y wrk`")


def run_wrk(
    url: str, workdir: Path, bodies: Path, concurrency: int, seconds: float, round_number: int
) -> LoadResult:
    """Drive `url` with `concurrency` desktops for `seconds`; `round_number` keeps each run's turn texts new."""
    script, result = workdir / "suggest.lua", workdir / f"wrk-{round_number}.json"
    script.write_text(SCRIPT, encoding="utf-8")
    result.unlink(missing_ok=True)
    env = {**os.environ, "BENCH_BODIES": str(bodies), "BENCH_SLICES": str(concurrency),
           "BENCH_ROUND": str(round_number), "BENCH_RESULT": str(result)}
    command = [ensure_wrk(), "-t", str(concurrency), "-c", str(concurrency), "-d", f"{seconds:g}s",
               "--timeout", "10s", "-s", str(script), url]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=False)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"load: wrk at c={concurrency} did not finish within {seconds + 60:g} s") from exc
    if done.returncode != 0 or not result.is_file():
        raise BenchError(f"load: wrk at c={concurrency} failed (exit {done.returncode}): {done.stderr[-800:]}")
    return parse_result(json.loads(result.read_text(encoding="utf-8")), concurrency)


def parse_result(raw: dict[str, Any], concurrency: int) -> LoadResult:
    """The numbers the Lua script's `done` wrote (microseconds) as a LoadResult (milliseconds)."""
    return LoadResult(
        concurrency=concurrency, seconds=raw["duration_us"] / 1e6, requests=int(raw["requests"]),
        p50_ms=raw["p50_us"] / 1e3, p95_ms=raw["p95_us"] / 1e3, p99_ms=raw["p99_us"] / 1e3,
        max_ms=raw["max_us"] / 1e3, errors=int(raw["errors"]), status_errors=int(raw["status_errors"]),
        dialogues=int(raw["dialogues"]), passes=int(raw["passes"]),
    )


def load_row(result: LoadResult, floor_ms: float, warmup: float) -> Row:
    """The table row of one load run."""
    errors = result.errors + result.status_errors
    again = f", slices re-posted {result.passes}x with new white space" if result.passes else ""
    value = (f"p50 {result.p50_ms:.1f} ms · p95 {result.p95_ms:.1f} · p99 {result.p99_ms:.1f} · "
             f"{result.per_second:.1f} req/s · {errors} errors ({result.requests:,} requests{again})")
    vs_floor = (f"p50 {ratio(result.p50_ms, floor_ms)} · p95 {ratio(result.p95_ms, floor_ms)} · "
                f"p99 {ratio(result.p99_ms, floor_ms)}")
    return Row(f"load-{result.concurrency}", f"load c={result.concurrency}: wrk, {result.seconds:.0f} s after a "
                                             f"{warmup:g} s warm-up", value, vs_floor, number=result.p50_ms)
