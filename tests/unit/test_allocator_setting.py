"""polars' allocator keeps freed pages for a while (see ``pipeline/__init__.py``): set before polars
loads, and never over a value the person running it chose."""

from __future__ import annotations

import os
import subprocess
import sys

SHOW = "import pipeline, os; print(os.environ.get('_RJEM_MALLOC_CONF'))"


def _run(env: dict[str, str]) -> str:
    return subprocess.run([sys.executable, "-c", SHOW], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_importing_the_pipeline_sets_the_allocator_to_keep_freed_pages():
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    assert _run(env) == "dirty_decay_ms:5000,muzzy_decay_ms:5000"


def test_an_allocator_setting_in_the_environment_is_kept():
    env = {**os.environ, "_RJEM_MALLOC_CONF": "dirty_decay_ms:0"}
    assert _run(env) == "dirty_decay_ms:0"


def test_polars_is_not_loaded_before_the_setting():
    # jemalloc reads its setting once, when polars' library loads: the package must not import polars first
    out = subprocess.run([sys.executable, "-c", "import sys, pipeline; print('polars' in sys.modules)"],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
