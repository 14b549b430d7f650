"""The app opens a store built by `python -m analysis build` (EXPLORER_STORE) and uses its tables."""

from __future__ import annotations

import subprocess
import sys

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, SEEDS


def test_app_uses_a_built_store(tmp_path, monkeypatch):
    out = tmp_path / "store"
    subprocess.run([sys.executable, "-m", "analysis", "build", str(SEEDS), "--out", str(out), "--no-progress"],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    monkeypatch.setenv("EXPLORER_STORE", str(out))
    from ui import data, store_access

    calls = []
    real = data.prepare
    monkeypatch.setattr(data, "prepare", lambda *a, **k: calls.append(1) or real(*a, **k))
    data._prepare.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    key = at.session_state["corpus_key"]
    assert store_access.stored_prepared(key, True) is not None
    assert calls == [], "the stored tables should be used, not recomputed"
    at.switch_page("pages/sentiment.py")
    at.run()
    assert not at.exception
