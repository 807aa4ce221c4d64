"""CSV cells that a spreadsheet or a shell cannot take for a command.

A text cell that starts with ``= + - @``, a tab or a carriage return is read by Excel/LibreOffice
as a formula (``=cmd|' /C calc'!A0``); a line break inside a cell lets a measurement name start a
line of its own (a file whose first line is ``#!/bin/sh``). Text cells get a leading ``'`` in the
first case (OWASP's advice) and have their line breaks replaced by spaces. Numbers stay numbers:
``-3.5`` written from a float is not text and is left alone, as is text that is exactly a number.
"""

from __future__ import annotations

from typing import Any, Iterable

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text.lower() not in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity")


def safe_cell(value: Any) -> Any:
    """The value to hand to csv.writer: text escaped, anything else unchanged."""
    if not isinstance(value, str):
        return value
    text = value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    if text.startswith(DANGEROUS_FIRST) and not _is_number(text):
        text = "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
