"""The public API a notebook uses: importable from ``analysis``, and the README's example runs."""

from __future__ import annotations

import re
import subprocess
import sys

import analysis
from tests.conftest import ROOT


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## In a notebook"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_notebook_example_runs_and_prints_each_seed():
    """The example runs in a fresh interpreter, from the project root, and prints its tables."""
    proc = subprocess.run([sys.executable, "-c", readme_example()], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    for doc_id in ("000_bfc6cafdf39d029c", "002_27ba5fbbf84c96f5", "003_963148aadf6ce902"):
        assert doc_id in proc.stdout
    assert "term" in proc.stdout and "polarity" in proc.stdout


def test_public_names_resolve_to_the_library_functions():
    from analysis.corpus.loaders import load_paths
    from analysis.engine.analyse import analyse

    assert analysis.load is load_paths and analysis.analyse is analyse
    for name in analysis.__all__:
        assert getattr(analysis, name) is not None, name
    assert set(analysis.__all__) <= set(dir(analysis))


def test_import_analysis_stays_light():
    """``import analysis`` (the CLI, a worker process) does not import pandas or the engine."""
    code = "import sys, analysis; print('pandas' in sys.modules, 'analysis.engine.analyse' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["False", "False"], out.stdout + out.stderr
