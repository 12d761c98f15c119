"""Moved into the benchmark suite: this runs `python -m bench --only paint` (first paint on the
demo and 127.6k libraries); `python -m bench --only latency` has the 127.6k search figures."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.__main__ import main  # noqa: E402

sys.exit(main(["--only", "paint", *sys.argv[1:]]))
