"""Time to first paint of the reader, in fresh processes (interpreter start and imports
included, as a person launching it waits for them):

- headless: a child interpreter runs the app with Textual's headless driver and marks "app
  ready" (Textual's Ready event: the first frame is up) and "rows shown" (the first frame holding
  the library's rows: that first frame if they were added before it, else the next one), timed
  from process start and from make_app(); each launch follows one of Textual alone drawing the
  same rows, the floor;
- pty: the installed `newsreader` command in a real pseudo-terminal; the time until its header,
  then the title of a library row, appear in what it writes to the terminal.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import CACHE, ROOT, config_file, say, settings_for, summary

SIZE = (100, 30)  # columns, lines


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a launch. PYTHONDONTWRITEBYTECODE is dropped: with it, every module
    changed since its .pyc was last written is compiled again at each launch (30-60 ms here),
    which no installed copy does; the first run writes the .pyc files."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return env | extra

CHILD = r"""
import json, sys, time
t_main = time.time()
sys.path.insert(0, {root!r})
from pathlib import Path
from index.config import load_settings
settings = load_settings({config!r})
# As reader.launch.launch does: the first page is read while the UI imports.
from reader.prefetch import prefetch
early = prefetch(Path({library!r}))
from reader.launch import make_app
from reader.app import NewsreaderApp
from reader.screens.library import LibraryScreen
from textual.widgets import DataTable

marks = {{"main": t_main, "imported": time.time()}}
original_show = LibraryScreen._show

def painted(app):
    marks["rows_shown"] = time.time()
    marks["rows_shown_cpu"] = time.process_time()
    app.exit()

def _show(self, *args, **kwargs):
    original_show(self, *args, **kwargs)
    if "rows_added" not in marks and self.query_one(DataTable).row_count:
        marks["rows_added"] = time.time()
        if "ready" in marks:  # after the first frame: they are on the next one
            self.call_after_refresh(painted, self.app)

def on_ready(self):
    marks["ready"] = time.time()
    marks["ready_cpu"] = time.process_time()
    if "rows_added" in marks:  # the first frame holds them
        painted(self)

LibraryScreen._show = _show
NewsreaderApp.on_ready = on_ready
marks["make_app"] = time.time()
app = make_app(settings, {library!r}, early)
app.run(headless=True, size={size!r})
print("MARKS" + json.dumps(marks))
"""


# The floor: Textual alone drawing the same first rows (header, a 4-column table, footer), timed
# the same way. Launches alternate with the reader's, so both see the same minutes.
FLOOR = r"""
import json, time
t_main = time.time()
from rich.text import Text
from textual.app import App
from textual.widgets import DataTable, Footer, Header

ROWS = json.loads({rows!r})
marks = {{"main": t_main, "imported": time.time()}}

class Floor(App):
    def compose(self):
        yield Header()
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self):
        table = self.query_one(DataTable)
        # The reader's fixed widths: the title takes what the others leave.
        title = self.size.width - 4 - (1 + 18 + 10) - 2 * table.cell_padding * 4
        for label, width in ((" ", 1), ("Title", title), ("Source", 18), ("Date", 10)):
            table.add_column(label, width=width)
        table.add_rows([(r, Text(t), Text(s), d) for r, t, s, d in ROWS])
        table.focus()

    def on_ready(self):  # the first frame, which holds the rows
        marks["ready"] = marks["rows_shown"] = time.time()
        self.exit()

marks["make_app"] = time.time()
Floor().run(headless=True, size={size!r})
print("MARKS" + json.dumps(marks))
"""


def floor_code(library: Path) -> str:
    """The floor's code, with the library's first screenful of rows written into it."""
    from index.storage.library import Library
    from reader.prefetch import SCREENFUL

    lib = Library(library)
    try:
        rows = [("•" if not r.read else " ", r.title[:300], r.source or "", (r.date or "")[:10])
                for r in lib.filtered("", sort="date", limit=SCREENFUL)]
    finally:
        lib.close()
    return FLOOR.format(rows=json.dumps(rows), size=SIZE)


def launch(code: str) -> tuple[float, dict[str, float]]:
    """Run `code` in a fresh interpreter: (its start time, the marks it printed)."""
    t0 = time.time()
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=child_env(),
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("MARKS")), None)
    if line is None:
        raise RuntimeError(f"first-paint child failed:\n{out.stdout}\n{out.stderr}")
    return t0, json.loads(line[5:])


def first_paint_headless(library: Path, config: Path, runs: int) -> dict[str, Any]:
    """Fresh interpreter per run (imports included), headless driver; each launch follows one
    of Textual alone showing the same rows (the floor)."""
    code = CHILD.format(root=str(ROOT), config=str(config), library=str(library), size=SIZE)
    ready, rows, ready_app, rows_app, imports = [], [], [], [], []
    ready_cpu, rows_cpu = [], []
    floor, floor_ready = [], []
    floor_source = floor_code(library)
    # One launch first, untimed: it writes the .pyc files, as a user's first launch does.
    for run in range(runs + 1):
        f0, fm = launch(floor_source)
        t0, m = launch(code)
        if run == 0:
            continue
        floor.append((fm["rows_shown"] - f0) * 1000)
        floor_ready.append((fm["ready"] - f0) * 1000)
        ready.append((m["ready"] - t0) * 1000)
        rows.append((m["rows_shown"] - t0) * 1000)
        ready_app.append((m["ready"] - m["make_app"]) * 1000)
        rows_app.append((m["rows_shown"] - m["make_app"]) * 1000)
        imports.append((m["imported"] - t0) * 1000)
        ready_cpu.append(m["ready_cpu"] * 1000)
        rows_cpu.append(m["rows_shown_cpu"] * 1000)
    return {
        "app_ready_cpu": summary(ready_cpu),
        "rows_shown_cpu": summary(rows_cpu),
        "app_ready_from_process_start": summary(ready),
        "rows_shown_from_process_start": summary(rows),
        "app_ready_from_make_app": summary(ready_app),
        "rows_shown_from_make_app": summary(rows_app),
        "interpreter_and_imports": summary(imports),
        "textual_alone_app_ready": summary(floor_ready),
        "textual_alone_rows_shown": summary(floor),
        # Each launch less the floor's just before it: what newsreader adds, minute for minute.
        "over_textual_alone": summary([r - f for r, f in zip(rows, floor, strict=True)]),
    }


# The first seconds after a launch: the library's page reaching the table, the core opening,
# the warm-up reading postings. A 5 ms timer on the UI's event loop; each gap between its ticks
# is how long a key pressed then would have waited.
STALL = r"""
import json, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from index.config import load_settings
settings = load_settings({config!r})
from reader.prefetch import prefetch
early = prefetch(Path({library!r}))
from reader.launch import make_app

gaps = []
app = make_app(settings, {library!r}, early)

def start():
    last = [time.perf_counter()]
    def tick():
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now
    app.set_interval(0.005, tick)
    app.set_timer({seconds!r}, app.exit)

app.call_later(start)
app.run(headless=True, size={size!r})
print("GAPS" + json.dumps(gaps))
"""
STALL_SECONDS = 3.0


def first_seconds_stalls(library: Path, config: Path, runs: int) -> dict[str, Any]:
    """The event loop's longest stall in the first seconds after launch, per launch."""
    code = STALL.format(root=str(ROOT), config=str(config), library=str(library), size=SIZE,
                        seconds=STALL_SECONDS)
    longest, over_50 = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=120, cwd=ROOT, env=child_env())
        line = next((x for x in out.stdout.splitlines() if x.startswith("GAPS")), None)
        if line is None:
            raise RuntimeError(
                f"stall child failed (exit {out.returncode}):\n{out.stdout}\n{out.stderr}"
            )
        gaps = json.loads(line[4:])
        if not gaps:
            raise RuntimeError("stall child: the timer never ticked")
        longest.append(max(gaps))
        over_50.append(sum(1 for g in gaps if g > 50))
    return {"seconds": STALL_SECONDS, "longest": summary(longest),
            "gaps_over_50ms_per_launch": summary(over_50)}


def first_paint_pty(library: Path, config: Path, marker: str, runs: int) -> dict[str, Any] | None:
    """The installed command in a pseudo-terminal: time until the header, then a row's title,
    appear in what it writes to the terminal; each launch follows one of Textual alone drawing
    the same rows in the pty. None when the command is not installed."""
    command = Path(sys.executable).with_name("newsreader")
    if not command.exists():
        return None
    floor = floor_code(library).replace(f"run(headless=True, size={SIZE!r})", "run()")
    header, rows, alone = [], [], []
    for run in range(runs + 1):  # the first launch of each, untimed, writes .pyc files
        _, t_floor = pty_launch([sys.executable, "-c", floor], "", marker)
        t_header, t_rows = pty_launch(
            [str(command), "--library", str(library), "--config", str(config)],
            "newsreader",
            marker,
        )
        if run:
            alone.append(t_floor)
            header.append(t_header)
            rows.append(t_rows)
    return {"header_shown": summary(header), "rows_shown": summary(rows),
            "textual_alone_rows_shown": summary(alone)}


def pty_launch(argv: list[str], header: str, marker: str) -> tuple[float, float]:
    """Milliseconds until `header`, then `marker`, appear in what `argv` writes to a pty."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    env = child_env(TERM="xterm-256color", COLUMNS=str(SIZE[0]), LINES=str(SIZE[1]))
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    seen = b""
    t_header = t_rows = None
    deadline = time.monotonic() + 30
    try:
        while t_rows is None and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            seen += chunk
            now = time.perf_counter()
            if t_header is None and header.encode() in seen:
                t_header = now
            if marker.encode() in seen:
                t_rows = now
        with contextlib.suppress(OSError):
            os.write(master, b"\x11")  # ctrl+q
        # Keep reading while it quits: an app blocked on a full pty never sees the key.
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:
            if select.select([master], [], [], 0.1)[0]:
                try:
                    os.read(master, 65536)
                except OSError:
                    break
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
    finally:
        os.close(master)
    if t_header is None or t_rows is None:
        raise RuntimeError(f"{argv[0]} never showed the library's rows in the pty")
    return (t_header - t0) * 1000, (t_rows - t0) * 1000


def demo_library() -> tuple[Path, Path]:
    """The demo library (seeded from the repo's seeds/ on first open) and its config."""
    from index.core import Newsreader

    library = CACHE / "demo"
    settings = settings_for(seed_demo=True)
    if not (library / "library.sqlite3").exists():
        say("seeding the demo library (once)…")
    Newsreader.open(library, settings).close()
    return library, config_file(seed_demo=True)


def first_row_title(library: Path) -> str:
    """The first characters of the second row's title: one styled segment, so contiguous in
    the terminal output."""
    from index.core import Newsreader

    core = Newsreader.open(library, settings_for(seed_demo=False))
    try:
        rows = core.list(limit=2)
    finally:
        core.close()
    title = rows[1].title if len(rows) > 1 else rows[0].title
    return title[:16]


def first_paint(library: Path, config: Path, runs: int) -> dict[str, Any]:
    """Headless and pty first paint of one library; a pty failure is reported, not raised."""
    out: dict[str, Any] = {"library": str(library), "runs": runs}
    out["headless"] = first_paint_headless(library, config, runs)
    out["stalls"] = first_seconds_stalls(library, config, max(3, runs // 2))
    try:
        out["pty"] = first_paint_pty(library, config, first_row_title(library), runs)
    except (OSError, RuntimeError) as exc:
        out["pty"] = {"error": str(exc)}
    return out
