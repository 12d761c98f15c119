"""End to end: the installed `newsreader` command in a real terminal (tmux), driven by keys as a
person would, reading the screen with capture-pane. Waits poll the screen until a deadline; the
deadline only ends a run that is already failing."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from index.config import Settings
from index.core import Newsreader

DEADLINE_S = 30.0
TITLE = "Vienna opera ball is cancelled"


def newsreader_command() -> str | None:
    beside = Path(sys.executable).with_name("newsreader")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("newsreader")


pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.skipif(
        newsreader_command() is None, reason="the newsreader command is not installed"
    ),
]


class Tmux:
    """One detached tmux session on a private server socket, so nothing else is touched."""

    def __init__(self, socket: Path) -> None:
        self.socket = socket
        self.session = f"nr-{uuid.uuid4().hex[:8]}"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["tmux", "-S", str(self.socket), *args],
            capture_output=True,
            text=True,
            check=check,
            timeout=30,
        )

    def start(self, command: str, env: dict[str, str]) -> None:
        # `env -i` + an explicit environment: the session sees only the temporary dirs.
        assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        self.run(
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            self.session,
            "-x",
            "100",
            "-y",
            "30",
            f"env -i {assignments} {command}; echo EXITED=$?; sleep 600",
        )

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", self.session, *(["-l"] if literal else []), *keys)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session).stdout

    def wait_for(self, condition: Callable[[str], bool], what: str) -> str:
        deadline = time.monotonic() + DEADLINE_S
        while True:
            text = self.screen()
            if condition(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; screen:\n{text}")
            time.sleep(0.05)  # polling interval, not synchronisation: the screen is re-checked

    def kill(self) -> None:
        self.run("kill-server", check=False)


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    session = Tmux(tmp_path / "tmux.sock")
    yield session
    session.kill()


def test_search_in_the_installed_command(
    tmux: Tmux,
    tmp_path: Path,
    no_seed_config: Path,
    no_seed_settings: Settings,
    small_articles,
    article_files,
    isolated_environment: Path,
):
    library = tmp_path / "library"
    core = Newsreader.open(library, no_seed_settings)
    try:
        files = article_files(tmp_path / "articles", small_articles)
        assert core.add([str(f) for f in files]).added == len(small_articles)
    finally:
        core.close()

    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "HOME": os.environ["HOME"],
        **{k: os.environ[k] for k in os.environ if k.startswith("XDG_")},
    }
    command = " ".join(
        shlex.quote(a)
        for a in (newsreader_command(), "--library", str(library), "--config", str(no_seed_config))
    )
    tmux.start(command, env)

    tmux.wait_for(lambda s: "7 articles" in s and TITLE in s, "the library")
    tmux.keys("/")
    tmux.wait_for(lambda s: "Type to search" in s, "the search screen")
    tmux.keys("opera ball", literal=True)
    screen = tmux.wait_for(lambda s: "1 article" in s, "the results")
    assert TITLE in screen
    assert "Austria votes" not in screen  # only what matched

    tmux.keys("Escape")
    tmux.wait_for(lambda s: "filter titles" in s, "the library again")
    tmux.keys("q")
    screen = tmux.wait_for(lambda s: "EXITED=" in s, "the command to exit")
    assert "EXITED=0" in screen
    assert "Traceback" not in screen
    # --library was honoured: nothing was created at the default library location.
    assert not (Path(os.environ["HOME"]) / ".local" / "share" / "newsreader").exists()
