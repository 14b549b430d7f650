"""The command line's output on the seeds, kept in tests/golden/ so that a refactoring can be proven
not to change it (``tests/test_cli_golden.py`` compares byte for byte).

    python scripts/cli_golden.py           # compare, print which outputs differ (exit 1 if any)
    python scripts/cli_golden.py --write   # regenerate after an intended change (say so in the commit)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
PHRASES = ["--phrase", "left behind", "--phrase", "single market"]

#: name -> arguments after ``python -m analysis`` (the seeds are always the corpus)
CASES: dict[str, list[str]] = {
    "report.json": ["report", "seeds", *PHRASES, "--by", "author"],
    "report_groups.csv": ["report", "seeds", *PHRASES, "--by", "author", "--format", "csv", "--table", "groups"],
    "sentences.json": ["sentences", "seeds"],
    "cleaning.json": ["cleaning", "seeds", "--repairs"],
    "phrases.json": ["phrases", "seeds", *PHRASES],
    "kwic.csv": ["kwic", "seeds", "--phrase", "referendum", "--format", "csv"],
    "keyness.json": ["keyness", "seeds", "--by", "author", "--group", "Jacqui Smith", "--top", "30"],
    "topics.json": ["topics", "seeds"],
    "reuse.json": ["reuse", "seeds"],
}


def output(args: list[str]) -> bytes:
    """The CLI's stdout for ``args``, run from the project root."""
    proc = subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {proc.returncode}: {proc.stderr.decode(errors='replace')}")
    return proc.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="regenerate the golden files")
    write = ap.parse_args().write
    GOLDEN.mkdir(parents=True, exist_ok=True)
    differ = []
    for name, args in CASES.items():
        got = output(args)
        if write:
            (GOLDEN / name).write_bytes(got)
        elif not (GOLDEN / name).exists() or (GOLDEN / name).read_bytes() != got:
            differ.append(name)
    print("written" if write else ("differ: " + ", ".join(differ) if differ else "all identical"))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
