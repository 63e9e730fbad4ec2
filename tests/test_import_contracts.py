"""The import contracts in pyproject.toml name every module they are meant to cover."""

from __future__ import annotations

import tomllib

from tests.conftest import ROOT


def test_every_per_request_policy_module_is_kept_from_the_load_time_ones() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(c for c in config["tool"]["importlinter"]["contracts"]
                    if c.get("forbidden_modules") == ["assist.policy.files"])
    listed = set(contract["source_modules"])
    policy = ROOT / "assist" / "policy"
    modules = {f"assist.policy.{p.stem}" for p in policy.glob("*.py") if p.stem != "__init__"}
    packages = [p for p in policy.iterdir() if (p / "__init__.py").exists() and p.name != "files"]
    modules |= {f"assist.policy.{p.name}" for p in packages}
    assert listed == modules, f"add to the contract: {sorted(modules - listed)}; gone: {sorted(listed - modules)}"
