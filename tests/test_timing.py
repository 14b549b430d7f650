"""ui/timing.py: one JSON line per script run, with its status, only when asked for."""

from __future__ import annotations

import pytest
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

from ui import timing


def test_nothing_is_written_without_the_variable(monkeypatch, tmp_path):
    monkeypatch.delenv(timing.LOG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    with timing.script_run() as run:
        run.page = "terms"
    assert timing.log_path() is None and not list(tmp_path.iterdir())


def test_one_line_per_run_with_its_status(monkeypatch, tmp_path):
    monkeypatch.setenv(timing.LOG_ENV, str(tmp_path / "t-{pid}.jsonl"))
    with timing.script_run() as run:
        run.page, run.title = "terms", "Terms & phrases"
    with timing.script_run() as run:
        run.page, run.status = "reader", "error"  # what app.py's guard does
    with pytest.raises(StopException), timing.script_run() as run:
        run.page = ""
        raise StopException()
    with pytest.raises(KeyError), timing.script_run():
        raise KeyError("x")
    (log,) = tmp_path.glob("t-*.jsonl")
    runs = timing.read_runs(str(log))
    assert [(r["page"], r["status"]) for r in runs] == [("terms", "ok"), ("reader", "error"),
                                                         ("", "stopped"), ("", "error")]
    assert runs[0]["title"] == "Terms & phrases"
    assert all(r["t1"] >= r["t0"] and r["s"] >= 0 and r["cpu_s"] >= 0 for r in runs)
    assert str(runs[0]["pid"]) in log.name
