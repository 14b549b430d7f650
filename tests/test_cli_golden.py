"""The command line's output on the seeds is the same as tests/golden/ (see scripts/cli_golden.py):
the same text, and every number the same up to its last few digits (rel. 1e-9: numpy's vectorised
log and exp round differently on different processors, e.g. a G2 of 2.622063824516345 on one machine
is 2.6220638245163443 on another)."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import math

import pytest

from tests.conftest import ROOT

_spec = importlib.util.spec_from_file_location("cli_golden", ROOT / "scripts" / "cli_golden.py")
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)

REL = 1e-9


def _number(text: str):
    try:
        return float(text)
    except ValueError:
        return None


def differences(got, expected, where: str = "") -> list[str]:
    """Where two parsed outputs differ, beyond the last digits of a number."""
    if isinstance(got, bool) or isinstance(expected, bool) or got is None or expected is None:
        return [] if got == expected else [f"{where}: {got!r} != {expected!r}"]
    if isinstance(got, (int, float)) and isinstance(expected, (int, float)):
        same = (math.isnan(got) and math.isnan(expected)) or math.isclose(got, expected, rel_tol=REL, abs_tol=1e-12)
        return [] if same else [f"{where}: {got!r} != {expected!r}"]
    if isinstance(got, dict) and isinstance(expected, dict):
        if list(got) != list(expected):
            return [f"{where}: keys {list(got)} != {list(expected)}"]
        return [d for k in got for d in differences(got[k], expected[k], f"{where}.{k}")]
    if isinstance(got, list) and isinstance(expected, list):
        if len(got) != len(expected):
            return [f"{where}: {len(got)} items != {len(expected)}"]
        return [d for i, (a, b) in enumerate(zip(got, expected)) for d in differences(a, b, f"{where}[{i}]")]
    if isinstance(got, str) and isinstance(expected, str) and got != expected:
        a, b = _number(got), _number(expected)
        if a is not None and b is not None:
            return differences(a, b, where)
    return [] if got == expected else [f"{where}: {got!r} != {expected!r}"]


def parsed(name: str, data: bytes):
    text = data.decode("utf-8")
    if name.endswith(".json"):
        return json.loads(text)
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("name", sorted(golden.CASES))
def test_cli_output_is_unchanged(name):
    got = golden.output(golden.CASES[name])
    expected = (golden.GOLDEN / name).read_bytes()
    diff = differences(parsed(name, got), parsed(name, expected))
    assert not diff, (f"`python -m analysis {' '.join(golden.CASES[name])}` changed ({diff[:5]}); if on purpose, "
                      "run scripts/cli_golden.py --write")


def test_the_comparison_tells_rounding_from_a_change():
    assert not differences({"g2": 2.622063824516345, "t": ["a", "1.5"]}, {"g2": 2.6220638245163443, "t": ["a", "1.5"]})
    assert differences({"g2": 2.6221}, {"g2": 2.6220638245163443})
    assert differences({"t": ["a", "1.5"]}, {"t": ["b", "1.5"]})
    assert differences([["x", "0.30488"]], [["x", "0.30489"]])
    assert differences({"a": 1}, {"b": 1})
