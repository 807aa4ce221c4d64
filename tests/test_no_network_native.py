"""Nothing leaves the PC, traced below Python: native sockets and DNS (issue #18 item 2).

Each entry point runs in a child process under ``strace -f`` (every thread, every native library:
onnxruntime, OpenCV, Qt), with a temporary HOME and without ORT_DISABLE_TELEMETRY in its
environment, so the app itself must turn onnxruntime's telemetry off. The trace must show no
INET/INET6 socket, no connect to an INET address and no read of the resolver's configuration
(a DNS lookup starts there); onnxruntime's telemetry folder
(~/.cache/Microsoft/DeveloperTools/.onnxruntime) must not be created.

strace is a system package (Debian: ``strace``); without it this test fails and says so.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.core.paths import demo_pipeline, pipelines_dir, samples_dir

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="strace is Linux's")

INET_SOCKET = re.compile(r"socket\(AF_INET6?\b")
INET_CONNECT = re.compile(r"connect\(\d+, \{sa_family=AF_INET6?\b")
RESOLVER = re.compile(r'open(at)?\(.*"/etc/(resolv\.conf|hosts|gai\.conf)"')


def _strace() -> str:
    path = shutil.which("strace")
    if path is None:
        pytest.fail("strace is not installed: the no-network test traces native sockets and DNS with it "
                    "(Debian/Ubuntu: apt-get install strace)")
    return path


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY" and not k.startswith("XDG_")}
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local" / "share"), XDG_CACHE_HOME=str(home / ".cache"))
    return env


def traced(args: list[str], home: Path, log: Path, env_extra: dict | None = None, timeout: float = 300) -> list[str]:
    """Run ``python -m workbench ARGS`` under strace; the network-related lines of its trace."""
    env = _env(home)
    env.update(env_extra or {})
    cmd = [_strace(), "-f", "-qq", "-e", "trace=socket,connect,sendto,sendmsg,open,openat", "-o", str(log),
           sys.executable, "-m", "workbench", *args]
    proc = subprocess.run(cmd, env=env, cwd=home, capture_output=True, text=True, timeout=timeout)
    if not log.exists() or "ptrace" in proc.stderr.lower():
        pytest.fail(f"strace could not trace the app: {proc.stderr.strip()[:300]}")
    assert proc.returncode == 0, f"{args}: exit {proc.returncode}: {proc.stderr.strip()[-500:]}"
    return [line for line in log.read_text(errors="replace").splitlines()
            if INET_SOCKET.search(line) or INET_CONNECT.search(line) or RESOLVER.search(line)]


def _no_telemetry_cache(home: Path) -> None:
    found = [str(p) for p in home.rglob("*") if ".onnxruntime" in p.name or p.name == "DeveloperTools"]
    assert found == [], f"onnxruntime telemetry state was written: {found}"


def test_cli_run_stream_and_ocr_open_no_network_and_keep_no_telemetry(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    hits = traced(["run", str(demo_pipeline()), "-o", str(tmp_path / "o"), "-q", "--db", str(tmp_path / "r.db")],
                  home, tmp_path / "run.trace")
    hits += traced(["run", str(pipelines_dir() / "ocr_lot_code.json"), "-o", str(tmp_path / "ocr"), "-q"],
                   home, tmp_path / "ocr.trace")
    hits += traced(["stream", str(pipelines_dir() / "ocr_lot_code.json"), "--source", f"folder:{samples_dir()}",
                    "--loop", "--frames", "4", "--no-db", "-o", str(tmp_path / "s"), "--quiet"],
                   home, tmp_path / "stream.trace")
    assert hits == [], "network activity:\n" + "\n".join(hits[:20])
    _no_telemetry_cache(home)


def test_gui_and_operator_screen_open_no_network_and_keep_no_telemetry(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shot = tmp_path / "gui.png"
    hits = traced(["gui", str(pipelines_dir() / "ocr_lot_code.json"), "--screenshot", str(shot)], home,
                  tmp_path / "gui.trace")
    assert shot.stat().st_size > 1000
    op_shot = tmp_path / "operator.png"  # the operator screen (its credentials: tests/conftest.py)
    hits += traced(["operator", str(pipelines_dir() / "ocr_lot_code.json"), "--source", f"folder:{samples_dir()}",
                    "--frames", "3", "--windowed", "--no-db", "-o", str(tmp_path / "op"), "--screenshot",
                    str(op_shot)], home, tmp_path / "operator.trace")
    assert op_shot.stat().st_size > 1000
    assert hits == [], "network activity:\n" + "\n".join(hits[:20])
    _no_telemetry_cache(home)


def test_the_trace_does_see_a_native_lookup(tmp_path):
    """The detector itself: a DNS lookup made by libc (not by Python's socket module) is caught."""
    home = tmp_path / "home"
    home.mkdir()
    log = tmp_path / "probe.trace"
    code = "import socket\ntry:\n    socket.getaddrinfo('mobile.events.data.microsoft.com', 443)\nexcept OSError:\n    pass\n"
    subprocess.run([_strace(), "-f", "-qq", "-e", "trace=socket,connect,sendto,sendmsg,open,openat", "-o",
                    str(log), sys.executable, "-c", code], env=_env(home), capture_output=True, timeout=60)
    lines = log.read_text(errors="replace").splitlines()
    assert any(INET_SOCKET.search(x) or RESOLVER.search(x) for x in lines)


def test_every_entry_point_disables_telemetry_before_onnxruntime_loads(tmp_path):
    """At the moment onnxruntime is first imported, ORT_DISABLE_TELEMETRY is already 1 — through the
    package (cli, gui, python -m workbench) and through the frozen app's runtime hook."""
    probe = (
        "import os, sys\n"
        "seen = []\n"
        "class Spy:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'onnxruntime' and not seen:\n"
        "            seen.append(os.environ.get('ORT_DISABLE_TELEMETRY'))\n"
        "        return None\n"
        "sys.meta_path.insert(0, Spy())\n"
        "{body}\n"
        "import onnxruntime\n"
        "print('AT-IMPORT', seen[0] if seen else 'not imported')\n"
    )
    hook = Path(__file__).resolve().parents[1] / "packaging" / "hooks" / "rthook_gpu.py"
    bodies = {"cli": "import workbench.cli", "gui": "import workbench.gui.app",
              "main": "import runpy\nsys.argv = ['workbench', '--version']\ntry:\n"
                      "    runpy.run_module('workbench', run_name='__main__', alter_sys=True)\nexcept SystemExit:\n    pass",
              "frozen hook": f"import runpy\nrunpy.run_path({str(hook)!r})"}
    env = _env(tmp_path)
    for name, body in bodies.items():
        out = subprocess.run([sys.executable, "-c", probe.replace("{body}", body)], env=env, capture_output=True,
                             text=True, timeout=120)
        assert "AT-IMPORT 1" in out.stdout, f"{name}: {out.stdout} {out.stderr[-300:]}"
