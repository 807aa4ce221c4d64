"""Image size from the file's header, before anything is decoded (decompression-bomb guard).

An 876 KB PNG can declare 30000 x 30000 pixels: decoding it takes ~10 GB and minutes. read_image
asks :func:`image_size` first and refuses an image above :func:`max_image_pixels` with one line.
PNG, JPEG, BMP, GIF, TIFF, WebP and PNM headers are read here; for other formats OpenCV's own
limit (``OPENCV_IO_MAX_IMAGE_PIXELS``, 2^30 by default) still applies.

The limit: ``WORKBENCH_MAX_IMAGE_PIXELS`` when set, else :func:`set_max_image_pixels`, else
min(256 megapixels, physical memory / 64 bytes) — room for the float copies a pipeline makes,
and larger than any industrial camera (the largest are ~150 MP).
"""

from __future__ import annotations

import os
import struct
import zlib

DEFAULT_CAP = 256 * 1024 * 1024
BYTES_PER_PIXEL_BUDGET = 64
_override: int | None = None


def physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def max_image_pixels() -> int:
    env = os.environ.get("WORKBENCH_MAX_IMAGE_PIXELS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    if _override is not None:
        return _override
    mem = physical_memory()
    return min(DEFAULT_CAP, mem // BYTES_PER_PIXEL_BUDGET) if mem else DEFAULT_CAP


def set_max_image_pixels(pixels: int | None) -> None:
    """Set the limit for this process (None: back to the default)."""
    global _override
    _override = None if pixels is None else max(1, int(pixels))


def _jpeg(b: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(b):
        if b[i] != 0xFF:
            return None
        marker = b[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", b[i + 2:i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", b[i + 5:i + 9])
            return w, h
        i += 2 + length
    return None


def _tiff(b: bytes) -> tuple[int, int] | None:
    end = "<" if b[:2] == b"II" else ">"
    (ifd,) = struct.unpack(end + "I", b[4:8])
    (count,) = struct.unpack(end + "H", b[ifd:ifd + 2])
    found = {}
    for k in range(min(count, 512)):
        e = b[ifd + 2 + 12 * k: ifd + 14 + 12 * k]
        tag, typ = struct.unpack(end + "HH", e[:4])
        if tag in (256, 257):
            found[tag] = struct.unpack(end + ("H" if typ == 3 else "I"), e[8:10] if typ == 3 else e[8:12])[0]
    return (found[256], found[257]) if len(found) == 2 else None


def _pnm(b: bytes) -> tuple[int, int] | None:
    tokens, i = [], 2
    while len(tokens) < 2 and i < min(len(b), 4096):
        c = b[i:i + 1]
        if c == b"#":
            while i < len(b) and b[i:i + 1] not in (b"\n", b"\r"):
                i += 1
        elif c.isdigit():
            j = i
            while j < len(b) and b[j:j + 1].isdigit():
                j += 1
            tokens.append(int(b[i:j]))
            i = j
            continue
        i += 1
    return (tokens[0], tokens[1]) if len(tokens) == 2 else None


def image_size(data) -> tuple[int, int] | None:
    """(width, height) declared by an encoded image's header, or None when unknown/unreadable."""
    b = bytes(data[:1 << 20]) if not isinstance(data, bytes) else data
    try:
        if b[:8] == b"\x89PNG\r\n\x1a\n" and b[12:16] == b"IHDR":
            return struct.unpack(">II", b[16:24])
        if b[:2] == b"\xff\xd8":
            return _jpeg(b)
        if b[:2] == b"BM":
            (hsize,) = struct.unpack("<I", b[14:18])
            if hsize == 12:
                return struct.unpack("<HH", b[18:22])
            w, h = struct.unpack("<ii", b[18:26])
            return abs(w), abs(h)
        if b[:4] in (b"GIF8",):
            return struct.unpack("<HH", b[6:10])
        if b[:4] in (b"II*\x00", b"MM\x00*"):
            return _tiff(b)
        if b[:4] == b"RIFF" and b[8:12] == b"WEBP":
            kind = b[12:16]
            if kind == b"VP8 ":
                w, h = struct.unpack("<HH", b[26:30])
                return w & 0x3FFF, h & 0x3FFF
            if kind == b"VP8L":
                bits = int.from_bytes(b[21:25], "little")
                return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
            if kind == b"VP8X":
                return int.from_bytes(b[24:27], "little") + 1, int.from_bytes(b[27:30], "little") + 1
        if b[:1] == b"P" and b[1:2] in b"123456" and len(b) > 3:
            return _pnm(b)
    except (struct.error, IndexError, ValueError):
        return None
    return None


def png_problem(data) -> str | None:
    """A PNG whose chunks fail their CRC: said here in one line, because libpng would print
    "libpng error: …" on stderr (not ours to silence) before OpenCV gives up. None when fine or not a PNG."""
    b = memoryview(data).cast("B") if not isinstance(data, bytes) else memoryview(data)
    if bytes(b[:8]) != b"\x89PNG\r\n\x1a\n":
        return None
    i = 8
    while i + 12 <= len(b):
        (length,) = struct.unpack(">I", b[i:i + 4])
        kind = bytes(b[i + 4:i + 8])
        end = i + 12 + length
        if end > len(b):
            return None  # truncated: OpenCV refuses it without a word
        (crc,) = struct.unpack(">I", b[end - 4:end])
        if zlib.crc32(b[i + 4:end - 4]) != crc:
            return f"corrupt PNG: CRC error in the {kind.decode('latin-1')!r} chunk"
        if kind == b"IEND":
            return None
        i = end
    return None
