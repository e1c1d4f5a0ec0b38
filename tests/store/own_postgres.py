"""A throw-away PostgreSQL cluster that a test may stop and start: the database going down and coming back.

The shared cluster of `make postgres` serves every other test and must stay up, so a fault test makes its
own: ``initdb`` in a temporary folder, on a free port of 127.0.0.1, run as the ``postgres`` user (initdb
refuses root; ``runuser`` drops to that user when the tests run as root, as CI's do). Debian's PostgreSQL 15
binaries and PostGIS come from `make postgres`.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.serving import free_port

BIN = Path("/usr/lib/postgresql/15/bin")
PASSWORD = "throw-away-secret"  # trust authentication: the password is only there to be hidden


class OwnPostgres:
    """A cluster of its own: ``url`` (with a password, as a team's would have), ``stop()``, ``start()``."""

    def __init__(self) -> None:
        if not (BIN / "initdb").exists():
            pytest.fail("PostgreSQL 15 is missing: run `make postgres`", pytrace=False)
        self.root = Path(tempfile.mkdtemp(prefix="own-pg-"))
        self.data, self.port = self.root / "data", free_port()
        self.user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._as_owner(BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync")
        self.url = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{self.port}/postgres"
        self.start()

    def _as_owner(self, *command) -> None:
        words = [str(c) for c in command]
        if os.geteuid() == 0:
            words = ["runuser", "-u", self.user, "--", *words]
        subprocess.run(words, check=True, capture_output=True, timeout=120, cwd="/")  # a clone may be private

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_owner(BIN / "pg_ctl", "-D", self.data, "-o", options, "-l", self.root / "log", "-w", "start")

    def stop(self) -> None:
        self._as_owner(BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def close(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)


def wait_for(condition, seconds: float = 15.0, every: float = 0.2):
    """Call ``condition`` until it returns something true, for up to ``seconds``; its last answer."""
    deadline = time.monotonic() + seconds
    while True:
        answer = condition()
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(every)
