"""File names that are not valid UTF-8 (a POSIX file name is any bytes but / and NUL).

Python decodes the undecodable bytes of a name to lone surrogates (U+DC80..U+DCFF, PEP 383
"surrogateescape"): ``os.fsencode`` gives the original bytes back, so the app opens such a file.
UTF-8 text (SQLite TEXT, JSON, CSV, the console) cannot hold a lone surrogate; the codec error
handler ``FSNAME_ERRORS`` writes each such byte as ``\\xff`` instead (as ``ls -b`` does), for
text meant to be read by people. Exact copies use ``os.fsencode`` (the results database keeps the
bytes) or JSON's ``\\udcff`` escapes (json.loads gives the same str back).
"""

from __future__ import annotations

import codecs

FSNAME_ERRORS = "workbench.fsname"


def _escape(exc: UnicodeError):
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = exc.object[exc.start:exc.end]
    return "".join(f"\\x{ord(c) - 0xDC00:02x}" if 0xDC80 <= ord(c) <= 0xDCFF else f"\\u{ord(c):04x}"
                   for c in text), exc.end


codecs.register_error(FSNAME_ERRORS, _escape)


def has_surrogates(text: str) -> bool:
    """True when ``text`` cannot be written as UTF-8 (a name with undecodable bytes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def display(text: str) -> str:
    """``text`` as valid UTF-8, the undecodable bytes of a file name shown as ``\\xff``."""
    return text.encode("utf-8", FSNAME_ERRORS).decode("utf-8") if has_surrogates(text) else text
