"""Worker processes never run the script that started them.

Streamlit installs each page run's script as ``__main__`` (the app's ``app.py``, or a page in an
AppTest), and ``multiprocessing``'s spawn start method runs the parent's ``__main__`` again in
every child. Before ``children_skip_main``, a Dask worker started from the app (or from a test
after an AppTest) drew the whole dashboard first: in CI its nanny failed to start and a process
pool broke. Here ``__main__`` is a script that leaves a mark when it runs, as Streamlit would
leave it, and the project's two ways of starting processes must not run it.
"""

from __future__ import annotations

import sys
import types

import pytest

from analysis.engine.cluster import dask_client
from analysis.methods import bulk_scoring


@pytest.fixture()
def page_script_as_main(tmp_path, monkeypatch):
    """``__main__`` as Streamlit leaves it: a module whose ``__file__`` is a script (no spec)."""
    mark = tmp_path / "script-ran"
    script = tmp_path / "page.py"
    script.write_text(f"open({str(mark)!r}, 'w').write(__name__)\n")
    fake = types.ModuleType("__main__")
    fake.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", fake)
    return fake, mark


def test_local_cluster_workers_skip_the_script(page_script_as_main):
    fake, mark = page_script_as_main
    with dask_client(n_workers=2) as client:
        assert client.submit(sum, [1, 2, 3], pure=False).result(timeout=60) == 6
        assert sys.modules["__main__"] is not fake  # swapped while the cluster lives
    assert sys.modules["__main__"] is fake           # and put back after
    assert not mark.exists(), f"a worker ran the page script as {mark.read_text()}"


def test_process_scoring_skips_the_script(page_script_as_main):
    _, mark = page_script_as_main
    texts = ["A good day.", "A bad, sad day.", "Nothing much.", "Wonderful news!"]
    assert bulk_scoring.score_texts(texts, n_jobs=2) == bulk_scoring.score_texts(texts)
    assert not mark.exists(), f"a scoring process ran the page script as {mark.read_text()}"


def test_blocks_nest_and_restore_the_real_main(page_script_as_main):
    fake, _ = page_script_as_main
    with bulk_scoring.children_skip_main():
        inner = sys.modules["__main__"]
        with bulk_scoring.children_skip_main():
            assert sys.modules["__main__"] is inner
        assert sys.modules["__main__"] is inner
    assert sys.modules["__main__"] is fake
