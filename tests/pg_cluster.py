"""A throwaway PostgreSQL cluster for tests and benchmarks, started from Debian's binaries.

initdb into a temp dir, listening on 127.0.0.1 at a free port, C collation, fsync off (the data is
thrown away). initdb and postgres refuse to run as root, so as root they run as the ``postgres`` user
that Debian's package creates (or ``nobody``), owning the temp dir.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

SUPERUSER = "lastmile"


class PostgresMissing(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def find_bin_dir() -> Path:
    """The directory holding initdb and postgres: $LASTMILE_PG_BIN, Debian's newest, or initdb's on PATH."""
    candidates = []
    if os.environ.get("LASTMILE_PG_BIN"):
        candidates.append(Path(os.environ["LASTMILE_PG_BIN"]))
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True)
    candidates += [Path(p) for p in versions]
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)  # /usr/local/bin/initdb may be a link into Debian's dir
    for directory in candidates:
        if (directory / "initdb").exists() and (directory / "postgres").exists():
            return directory
    raise PostgresMissing("no PostgreSQL server binaries (apt-get install postgresql)")


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_as() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return entry.pw_uid, entry.pw_gid
    raise PostgresMissing("running as root and there is no unprivileged user to run PostgreSQL as")


class Cluster:
    """One running server; ``url(dbname)`` names a database in it."""

    def __init__(self, bin_dir: Path | None = None):
        self.bin_dir = bin_dir or find_bin_dir()
        self.dir = Path(tempfile.mkdtemp(prefix="lastmile-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self._process: subprocess.Popen | None = None
        self._user = _run_as()
        if self._user is not None:
            os.chown(self.dir, *self._user)

    def _spawn(self, args: list[str], **kwargs) -> subprocess.Popen:
        extra = {}
        if self._user is not None:
            extra = {"user": self._user[0], "group": self._user[1], "extra_groups": []}
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "TZ": "UTC"}
        return subprocess.Popen(args, cwd=self.dir, env=env, **extra, **kwargs)

    def start(self) -> "Cluster":
        """initdb, then start the server and wait until it accepts connections."""
        init = self._spawn(
            [str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
             "--locale=C", "--encoding=UTF8", "--no-sync"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        out, _ = init.communicate(timeout=120)
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{out.decode(errors='replace')}")
        log = open(self.dir / "postgres.log", "wb")
        self._process = self._spawn(
            [str(self.bin_dir / "postgres"), "-D", str(self.data), "-p", str(self.port),
             "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.dir}",
             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
             "-c", "max_connections=300", "-c", "shared_buffers=64MB"],
            stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg.connect(self.url("postgres"), connect_timeout=2).close()
                return self
            except psycopg.OperationalError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"postgres did not start:\n{(self.dir / 'postgres.log').read_text()}")
                time.sleep(0.05)

    def url(self, dbname: str) -> str:
        """A connection URL for a database of this cluster."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def execute(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE) as the superuser."""
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its files."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(2)  # SIGINT: fast shutdown
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
