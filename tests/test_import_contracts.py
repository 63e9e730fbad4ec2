"""The import contracts in pyproject.toml name every module they are meant to cover."""

from __future__ import annotations

import tomllib

from tests.conftest import ROOT


def test_every_per_request_policy_module_is_kept_from_the_load_time_ones() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(c for c in config["tool"]["importlinter"]["contracts"]
                    if c.get("forbidden_modules") == ["assist.policy.files"])
    listed = set(contract["source_modules"])
    modules = {f"assist.policy.{p.stem}" for p in (ROOT / "assist" / "policy").glob("*.py") if p.stem != "__init__"}
    assert listed == modules, f"add to the contract: {sorted(modules - listed)}; gone: {sorted(listed - modules)}"
