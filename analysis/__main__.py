"""``python -m analysis``: the command line (see :mod:`analysis.cli`)."""

import os
import sys

# A command runs once and alone: Arrow allocates from the process's own heap (read when pyarrow
# is imported; see analysis.engine.cluster.one_heap), unless the caller chose otherwise.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

from analysis.cli import main  # noqa: E402

sys.exit(main())
