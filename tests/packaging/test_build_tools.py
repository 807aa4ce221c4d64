"""The helpers of packaging/build.py that decide what goes into a bundle, without building one: the ELF
reader behind the dependency and manifest checks, the ICU data trimmer, and the manifest check that
keeps a build machine's own CUDA out."""

import json
import struct
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "packaging"))
import build  # noqa: E402

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF files")


def _lib_of_this_process(part: str) -> Path:
    import ctypes

    ctypes.CDLL("libz.so.1")
    with open("/proc/self/maps", encoding="utf-8") as f:
        for line in f:
            if part in line:
                return Path(line.split()[-1])
    pytest.skip(f"no {part} mapped")


@linux
def test_elf_needed_reads_the_dynamic_section():
    import _ctypes  # noqa: F401  (an extension module of this Python: it needs libffi)

    ctypes_mod = Path(sys.modules["_ctypes"].__file__)
    needed = build.elf_needed(ctypes_mod)
    assert isinstance(needed, list) and any(n.startswith(("libffi", "libc.so")) for n in needed)
    libz = _lib_of_this_process("libz.so")
    assert "libc.so.6" in build.elf_needed(libz)
    assert build.elf_needed(REPO / "README.md") is None  # not an ELF file


def _package(items: dict[str, bytes]) -> bytes:
    """A small ICU common data package (CmnD) like genccode/icupkg write: header, TOC, names, items."""
    head = struct.pack("<HBB", 32, 0xDA, 0x27) + struct.pack("<HHBBBB", 20, 0, 0, 0, 2, 0) + b"CmnD" + \
        bytes([1, 0, 0, 0]) + bytes([73, 0, 0, 0])
    head += b"\0" * (32 - len(head))
    names = sorted(items)
    toc_len = 4 + 8 * len(names)
    blob_names = b"".join(n.encode() + b"\0" for n in names)
    first = toc_len + len(blob_names)
    first += -(32 + first) % 16
    toc, data, off, at = [], b"", first, toc_len
    for n in names:
        toc.append(struct.pack("<II", at, off))
        at += len(n) + 1
        b = items[n] + b"\0" * (-len(items[n]) % 16)
        data += b
        off += len(b)
    body = struct.pack("<I", len(names)) + b"".join(toc) + blob_names
    body += b"\0" * (first - len(body))
    return head + body + data


def _items(pkg: bytes) -> dict[str, bytes]:
    hs, = struct.unpack_from("<H", pkg, 0)
    n, = struct.unpack_from("<I", pkg, hs)
    e = [struct.unpack_from("<II", pkg, hs + 4 + 8 * i) for i in range(n)]
    out = {}
    for i, (no, do) in enumerate(e):
        end = e[i + 1][1] if i + 1 < n else len(pkg) - hs
        out[pkg[hs + no:pkg.index(b"\0", hs + no)].decode()] = pkg[hs + do:hs + end].rstrip(b"\0")
        assert (hs + do) % 16 == 0  # items stay 16-byte aligned
    assert list(out) == sorted(out)  # ICU looks items up by binary search
    return out


def test_trim_icu_package_drops_only_the_named_services():
    items = {"icudt73l/brkitr/char.brk": b"BRK" * 7, "icudt73l/coll/root.res": b"COLL" * 5,
             "icudt73l/curr/en.res": b"CURR", "icudt73l/en.res": b"EN" * 9, "icudt73l/gb18030.cnv": b"GB" * 11,
             "icudt73l/unit/de.res": b"UNIT", "icudt73l/zone/en.res": b"ZONE" * 3, "icudt73l/region/de.res": b"R"}
    trimmed, removed = build.trim_icu_package(_package(items))
    kept = _items(trimmed)
    assert sorted(removed) == ["icudt73l/brkitr/char.brk", "icudt73l/curr/en.res", "icudt73l/unit/de.res"]
    assert kept == {k: v for k, v in items.items() if k not in removed}  # the rest byte for byte
    assert trimmed[:32] == _package(items)[:32]  # same header (format, ICU version)
    zones = dict(items, **{"icudt73l/zone/de.res": b"DE", "icudt73l/zone/zh_Hant.res": b"ZH",
                           "icudt73l/zone/root.res": b"ROOT", "icudt73l/zone/pool.res": b"POOL"})
    kept = _items(build.trim_icu_package(_package(zones), zone_languages=("en", "zh_CN"))[0])
    assert {k for k in kept if "/zone/" in k} == {"icudt73l/zone/en.res", "icudt73l/zone/zh_Hant.res",
                                                   "icudt73l/zone/root.res", "icudt73l/zone/pool.res"}
    with pytest.raises(ValueError, match="ICU common data"):
        build.trim_icu_package(b"\x20\x00\xda\x28" + b"\0" * 60)


def test_icu_apis_qt_uses_are_the_ones_kept():
    # what libQt6Core imports from ICU (nm -D --undefined-only), all covered by the trimmed data
    qt = ["u_strToLower_73", "ucal_getTimeZoneDisplayName_73", "ucnv_open_73", "UCNV_TO_U_CALLBACK_SUBSTITUTE_73",
          "ucol_strcoll_73"]
    assert all(s.startswith(build.ICU_APIS_KEPT) for s in qt)
    assert not any(s.startswith(build.ICU_APIS_KEPT) for s in ["ubrk_open_73", "unum_open_73", "uldn_open_73"])


def _manifest(tmp_path: Path, flavour: str, rows: list[dict]) -> tuple[Path, dict, Path]:
    bundle = tmp_path / "VisionWorkbench"
    for r in rows:
        p = bundle / "_internal" / r["path"]
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x" * r["size"])
    man = build.manifest_path(flavour)
    return bundle, {"flavour": flavour, "venv": "/v", "python": "/p", "dropped": [], "icu": {"trimmed": False},
                    "binaries": [dict(type="BINARY", **r) for r in rows]}, man


def test_manifest_check_fails_for_gpu_libraries_from_outside_the_venv(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "REPO", tmp_path)
    (tmp_path / "build").mkdir()
    rows = [{"path": "nvidia/cu13/lib/libcudart.so.13", "size": 10, "origin": "venv", "source": "/v/nvidia/x"},
            {"path": "libcublasLt.so.13", "size": 20, "origin": "system",
             "source": "/usr/local/cuda/lib64/libcublasLt.so.13"},
            {"path": "libX11.so.6", "size": 5, "origin": "system", "source": "/usr/lib/libX11.so.6"}]
    bundle, man, path = _manifest(tmp_path, "gpu", rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(man), encoding="utf-8")
    problems, summary = build.check_manifest("gpu", bundle)
    assert problems == ["libcublasLt.so.13 comes from outside the build venv: /usr/local/cuda/lib64/libcublasLt.so.13"]
    assert summary["cuda_libraries"] == {"nvidia/cu13/lib/libcudart.so.13": 0.0}
    assert summary["system_binaries"] == ["libX11.so.6", "libcublasLt.so.13"]
    written = json.loads((tmp_path / "build" / "gpu-libraries.json").read_text(encoding="utf-8"))
    assert {b["path"] for b in written["binaries"]} == {r["path"] for r in rows}
