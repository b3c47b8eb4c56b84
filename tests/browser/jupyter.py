"""A JupyterLab server for one test session: free loopback port, random token, throwaway settings.

The server's stdout and stderr go to ``log`` from the first line, so a failing test can attach it.
``stop()`` asks the server to shut down (which also stops its kernels), then kills its process
group and any kernel it left behind (found by the server's own runtime folder on their command
line: every kernel's connection file lives there).
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

# JupyterLab's news and update check would reach outside hosts and cover the notebook.
NOTIFICATION_SETTINGS = {"fetchNews": "false", "checkForUpdates": False}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(python: Path, state: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a process run by ``python``: its venv first on PATH, every Jupyter and
    IPython setting in ``state``, nothing inherited that points at another installation."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "IPYTHONDIR", "MPLCONFIGDIR", "MPLBACKEND")
           and not k.startswith(("JUPYTER", "JPY_"))}
    env["PATH"] = str(Path(python).parent) + os.pathsep + env.get("PATH", "")
    for name, folder in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                         ("JUPYTER_DATA_DIR", "data"), ("IPYTHONDIR", "ipython"), ("MPLCONFIGDIR", "matplotlib")):
        (state / folder).mkdir(parents=True, exist_ok=True)
        env[name] = str(state / folder)
    env.update(extra or {})
    return env


class JupyterServer:
    """``python -m jupyterlab`` serving ``root_dir`` (run in ``cwd``) until :meth:`stop`."""

    def __init__(self, name: str, python: Path, root_dir: Path, cwd: Path, state: Path,
                 env: dict[str, str] | None = None):
        self.name = name
        self.python = Path(python)
        self.root_dir = Path(root_dir)
        self.cwd = Path(cwd)
        self.state = Path(state)
        self.env = env or clean_env(self.python, self.state)
        self.log = self.state / "server.log"
        self.token = secrets.token_hex(24)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self, timeout: float = 90) -> "JupyterServer":
        settings = self.state / "user-settings"
        notification = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
        notification.parent.mkdir(parents=True, exist_ok=True)
        notification.write_text(json.dumps(NOTIFICATION_SETTINGS))
        (self.state / "workspaces").mkdir(exist_ok=True)
        command = [str(self.python), "-m", "jupyterlab", "--no-browser", "--allow-root",
                   "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                   f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root_dir}",
                   f"--LabApp.workspaces_dir={self.state / 'workspaces'}", f"--LabApp.user_settings_dir={settings}"]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(command, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the {self.name} JupyterLab server exited with status {self.process.returncode} "
                                   f"before it answered; its log ({self.log}) ends:\n{self.log_tail()}")
            try:
                if self.request("GET", "/api/status", timeout=2)["started"]:
                    return self
            except (OSError, ValueError, KeyError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the {self.name} JupyterLab server did not answer /api/status within "
                                   f"{timeout:.0f} s; its log ({self.log}) ends:\n{self.log_tail()}")
            time.sleep(0.2)  # polling a port: there is no page to wait on yet

    def stop(self, timeout: float = 20) -> list[int]:
        """Shut the server and its kernels down; return the pids of kernels that had to be killed."""
        if self.process is None:
            return []
        if self.process.poll() is None:
            try:
                self.request("POST", "/api/shutdown", timeout=5)
            except (OSError, ValueError):
                pass
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
            self._kill_group(self.process.pid)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                pass
        leftovers = self.kernel_pids()
        for pid in leftovers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process = None
        return leftovers

    @staticmethod
    def _kill_group(pgid: int) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                return
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                try:
                    os.killpg(pgid, 0)
                except ProcessLookupError:
                    return
                time.sleep(0.1)

    def kernel_pids(self) -> list[int]:
        """Processes whose command line names this server's runtime folder: its kernels."""
        marker = self.env["JUPYTER_RUNTIME_DIR"].encode()
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != os.getpid():
                try:
                    if marker in (entry / "cmdline").read_bytes():
                        pids.append(int(entry.name))
                except OSError:
                    continue
        return pids

    # --- talking to it -----------------------------------------------------------------------

    def request(self, method: str, path: str, timeout: float = 10):
        req = urllib.request.Request(self.url + path, method=method, data=b"" if method != "GET" else None,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """End every notebook session (and so its kernel) this server holds."""
        for session in self.request("GET", "/api/sessions"):
            try:
                self.request("DELETE", f"/api/sessions/{session['id']}")
            except urllib.error.HTTPError as error:
                if error.code != 404:
                    raise

    def lab_url(self, path: str) -> str:
        return f"{self.url}/lab/tree/{path}?reset&token={self.token}"

    def page_url(self, path: str) -> str:
        return f"{self.url}/{path.lstrip('/')}?token={self.token}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
