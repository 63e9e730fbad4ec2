"""The victim of tests/test_crash.py: loads the model once, then publishes versions in a loop until killed.

Usage: python tests/crash_builder.py PRISTINE_KB WORK_KB INDEX_DIR

Each round edits one article of WORK_KB (copied fresh from PRISTINE_KB), then alternates a full build, an
incremental update and a prune, printing `published NAME` once each publish has returned. A short sleep
before every disk step stands in for a slow disk, so a random kill often lands in the middle of writing.
"""

from __future__ import annotations

import itertools
import shutil
import sys
import time
from pathlib import Path

from assist.index import storage, versions
from assist.index.build import build_index
from assist.index.embedder import Embedder
from assist.index.update import update_index
from assist.knowledge.articles import load_catalog

EDITED = "returns-stain.md"


def _slow_disk(step: str, path: Path) -> None:
    time.sleep(0.002)


def main(pristine: Path, knowledge: Path, index_dir: Path) -> None:
    embedder = Embedder(threads=1)
    print("ready", flush=True)
    original = (pristine / EDITED).read_text()
    with storage.inject_faults(_slow_disk):
        for round_ in itertools.count():
            shutil.rmtree(knowledge, ignore_errors=True)
            shutil.copytree(pristine, knowledge)
            (knowledge / EDITED).write_text(original + f"\nEdition {round_} of this article.\n")
            catalog = load_catalog(knowledge)
            if round_ % 3 == 0:
                version: str | None = build_index(catalog, embedder, index_dir)
            else:
                version = update_index(catalog, embedder, index_dir).version
            print(f"published {version}", flush=True)
            if round_ % 3 == 2:
                versions.prune(index_dir, keep=3)
                print("pruned", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
