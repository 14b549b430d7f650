"""Input limits: how much the loaders in :mod:`analysis.corpus.loaders` will read.

The same limits bind the command line and the web app, so a corpus that loads
in one loads in the other. ``Limits()`` holds the defaults for a shared hosted
demo, where one visitor must not exhaust the memory or the time of the others;
``Limits.local()`` is a generous preset for one person with a big corpus on
their own machine; ``Limits.from_env()`` starts from either and lets
environment variables raise or lower any limit.

What each limit bounds (demo default / local preset):

``max_file_bytes`` (10 MB / 1 GB)
    The size of one file as received - on disk or uploaded - before any
    decompression. What comes out of a zip or gzip is bounded by the next two.
``max_uncompressed_bytes`` (200 MB / 8 GB)
    All bytes decompressed in one load call: zip members (at every nesting
    level), gzip streams and the parts of .docx files, together.
``max_compression_ratio`` (100 / 1,000)
    Uncompressed over compressed size of one zip member, gzip stream or .docx
    part. Ordinary text compresses 3-10 times; a "zip bomb" thousands of
    times. Outputs of up to :data:`RATIO_EXEMPT_BYTES` are exempt: something
    that small cannot exhaust anything. Checked on the declared sizes and
    again while reading, since headers can lie.
``max_zip_members`` (2,000 / 200,000)
    Files read from archives in one load call, nested archives included.
``max_zip_depth`` (1 / 3)
    How deep zips may nest inside zips: 0 refuses any zip inside a zip, 1
    opens a zip inside the uploaded zip but not a zip inside that one. The
    default opens one level because people zip folders that already hold a
    zip; the member and byte budgets above are shared by all levels, so
    nesting cannot multiply them.
``max_documents`` (5,000 / 1,000,000)
    Documents in the corpus. Documents past the cap are not loaded and one
    error says how many were skipped.
``max_total_chars`` (20 million / 500 million)
    Characters of text in the corpus, all documents together, with the same
    rule: loading stops at the cap and one error says what was skipped.
``max_columns`` (500 / 10,000)
    Columns of one table file (CSV, TSV, JSON, a metadata.csv). Each column
    becomes a metadata field of every document, so a table a million columns
    wide would exhaust memory later even when the file is small.

Environment variables read by :meth:`Limits.from_env`:

- ``EXPLORER_LIMITS``: ``demo`` (the default) or ``local``, the preset to start from;
- ``EXPLORER_MAX_FILE_MB``, ``EXPLORER_MAX_UNCOMPRESSED_MB``: megabytes
  (2**20 bytes), decimals allowed;
- ``EXPLORER_MAX_COMPRESSION_RATIO``, ``EXPLORER_MAX_ZIP_MEMBERS``,
  ``EXPLORER_MAX_ZIP_DEPTH``, ``EXPLORER_MAX_DOCUMENTS``,
  ``EXPLORER_MAX_TOTAL_CHARS``, ``EXPLORER_MAX_COLUMNS``: whole numbers
  (``_`` and ``,`` separators allowed).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

MB = 2**20
GB = 2**30

# Decompressed outputs up to this size are exempt from max_compression_ratio.
RATIO_EXEMPT_BYTES = 1 * MB

# Limit name -> (environment variable, bytes per unit or None for a plain count).
ENV_VARS: dict[str, tuple[str, int | None]] = {
    "max_file_bytes": ("EXPLORER_MAX_FILE_MB", MB),
    "max_total_chars": ("EXPLORER_MAX_TOTAL_CHARS", None),
    "max_documents": ("EXPLORER_MAX_DOCUMENTS", None),
    "max_zip_members": ("EXPLORER_MAX_ZIP_MEMBERS", None),
    "max_uncompressed_bytes": ("EXPLORER_MAX_UNCOMPRESSED_MB", MB),
    "max_compression_ratio": ("EXPLORER_MAX_COMPRESSION_RATIO", None),
    "max_zip_depth": ("EXPLORER_MAX_ZIP_DEPTH", None),
    "max_columns": ("EXPLORER_MAX_COLUMNS", None),
}
PRESET_VAR = "EXPLORER_LIMITS"


@dataclass(frozen=True)
class Limits:
    """How much one load call may read (see the module docstring for each limit)."""

    max_file_bytes: int = 10 * MB
    max_total_chars: int = 20_000_000
    max_documents: int = 5_000
    max_zip_members: int = 2_000
    max_uncompressed_bytes: int = 200 * MB
    max_compression_ratio: int = 100
    max_zip_depth: int = 1
    max_columns: int = 500

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            lowest = 0 if f.name == "max_zip_depth" else 1
            if not isinstance(value, int) or isinstance(value, bool) or value < lowest:
                raise ValueError(f"Limits.{f.name} must be an integer >= {lowest}, got {value!r}")

    @classmethod
    def local(cls) -> "Limits":
        """Generous limits for one user's own machine and a big corpus."""
        return cls(
            max_file_bytes=1 * GB,
            max_total_chars=500_000_000,
            max_documents=1_000_000,
            max_zip_members=200_000,
            max_uncompressed_bytes=8 * GB,
            max_compression_ratio=1_000,
            max_zip_depth=3,
            max_columns=10_000,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, preset: str | None = None) -> "Limits":
        """The preset named by ``EXPLORER_LIMITS`` (or ``preset``, e.g. "local" for the command
        line's ``--local-limits``) with the ``EXPLORER_MAX_*`` overrides.

        ``environ`` defaults to ``os.environ``. A malformed value raises
        ``ValueError`` naming the variable: a misconfigured deploy should fail
        loudly rather than run with limits nobody chose.
        """
        env = os.environ if environ is None else environ
        preset = (preset if preset is not None else env.get(PRESET_VAR, "demo")).strip().lower() or "demo"
        if preset not in ("demo", "local"):
            raise ValueError(f"{PRESET_VAR} must be 'demo' or 'local', got {preset!r}")
        base = cls.local() if preset == "local" else cls()
        changes = {}
        for name, (var, unit) in ENV_VARS.items():
            if env.get(var, "").strip():
                changes[name] = _parse_env(var, env[var], unit)
        return replace(base, **changes)

    def show(self, name: str) -> str:
        """The value of limit ``name`` as a person reads it ("10 MB", "5,000")."""
        value = getattr(self, name)
        return format_bytes(value) if ENV_VARS[name][1] else f"{value:,}"

    def exceeded(self, name: str, found: str) -> str:
        """The reason given when limit ``name`` is broken: what was found, the
        limit and its value, and the variable that changes it."""
        return f"{found}; the limit is {name} = {self.show(name)} (set {ENV_VARS[name][0]} to change it)"


def _parse_env(var: str, raw: str, unit: int | None) -> int:
    """An environment value as a limit: megabytes times ``unit``, or a count."""
    text = raw.strip().replace("_", "").replace(",", "")
    try:
        value = float(text) * unit if unit else int(text)
    except ValueError:
        kind = "a number of megabytes" if unit else "a whole number"
        raise ValueError(f"{var} must be {kind}, got {raw!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{var} must be a finite number, got {raw!r}")
    return int(value)


def format_bytes(n: int) -> str:
    """A byte count for people: "512 bytes", "3.5 KB", "10 MB", "1.2 GB" (powers of 1024)."""
    for unit, size in (("GB", GB), ("MB", MB), ("KB", 1024)):
        if n >= size:
            return f"{n / size:,.1f}".removesuffix(".0") + f" {unit}"
    return f"{n:,} bytes"
