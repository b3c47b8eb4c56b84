"""A throwaway PostgreSQL server for tests, started from Debian's ``postgresql`` package.

``make test`` installs the package (``scripts/ensure-postgresql``). The server runs from a fresh
cluster in a temporary folder, as an unprivileged user (``nobody`` when the tests run as root:
PostgreSQL refuses to run as root), listening only on a unix socket in that folder, so it needs no
port and meets no other server. :func:`postgres_server` yields a SQLAlchemy URL maker.
"""
from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

INSTALL = ("the PostgreSQL test needs Debian's server programs (initdb, pg_ctl): install them with "
           "`sudo apt-get install postgresql` (`make test` does this)")


def server_bin() -> Path | None:
    """The newest installed ``/usr/lib/postgresql/<version>/bin``, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


@contextlib.contextmanager
def postgres_server():
    """Start a server; yield ``url(database)``, which creates the database and returns its URL."""
    bin_dir = server_bin()
    if bin_dir is None:
        raise RuntimeError(INSTALL)
    user = "nobody" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    account = pwd.getpwnam(user)
    # A short path: a unix socket's path may not exceed 107 bytes.
    root = Path(tempfile.mkdtemp(prefix="nnpg-", dir="/tmp"))
    data, socket_dir = root / "data", root / "socket"
    socket_dir.mkdir()
    for path in (root, socket_dir):
        os.chown(path, account.pw_uid, account.pw_gid)
    as_user = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []} if os.geteuid() == 0 else {}
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "LC_ALL": "C.UTF-8", "HOME": str(root)}

    def run(*command):
        subprocess.run(command, check=True, capture_output=True, env=env, cwd=root, timeout=120, **as_user)

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "--auth=trust", "--username", user, "--encoding=UTF8")
        # No TCP at all (listen_addresses=''), the socket only in our folder, quick start and stop.
        options = f"-c listen_addresses='' -k {socket_dir} -c fsync=off -c max_connections=60"
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-o", options, "-w", "start")
    except subprocess.CalledProcessError as error:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {error.stderr.decode(errors='replace')[-800:]}") from None

    def url(database: str) -> str:
        import psycopg2

        with contextlib.closing(psycopg2.connect(dbname="postgres", user=user, host=str(socket_dir))) as db:
            db.autocommit = True
            db.cursor().execute(f'CREATE DATABASE "{database}"')
        return f"postgresql+psycopg2://{user}@/{database}?host={socket_dir}"

    try:
        yield url
    finally:
        subprocess.run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, env=env, cwd=root, timeout=60, **as_user)
        shutil.rmtree(root, ignore_errors=True)
