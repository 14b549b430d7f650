"""The command line's output on the seeds is byte-identical to tests/golden/ (see scripts/cli_golden.py)."""

from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import ROOT

_spec = importlib.util.spec_from_file_location("cli_golden", ROOT / "scripts" / "cli_golden.py")
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)


@pytest.mark.parametrize("name", sorted(golden.CASES))
def test_cli_output_is_unchanged(name):
    expected = (golden.GOLDEN / name).read_bytes()
    assert golden.output(golden.CASES[name]) == expected, (
        f"`python -m analysis {' '.join(golden.CASES[name])}` changed; if on purpose, "
        "run scripts/cli_golden.py --write")
