"""Name and text templates with a whitelist: ``{stem}_{index:05d}.png``, never a format-string trick.

``str.format`` on a template from a pipeline file would allow attribute and index access
(``{stem.__class__}``), conversions (``{stem!r}``) and unbounded widths (``{stem:>400000000}``
builds a 400 MB string). Here a field is a plain name from a whitelist, no conversion, and the
format spec is at most ``[<>^][0][width ≤ 99][.precision ≤ 99][d|f|s|x]``.
"""

from __future__ import annotations

import re
import string
from typing import Any, Iterable

from workbench.core.errors import ParamError

SPEC_RE = re.compile(r"[<>^]?0?\d{0,2}(?:\.\d{1,2})?[dfsx]?")
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def template_problem(template: str, fields: Iterable[str] | None) -> str | None:
    """Why ``template`` is refused, or None. ``fields=None`` allows any plain name (e.g. measurement names)."""
    allowed = None if fields is None else set(fields)
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        return f"bad template {template!r} ({exc}; write {{{{ and }}}} for literal braces)"
    for _, name, spec, conv in parts:
        if name is None:
            continue
        shown = "{" + name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}"
        if not NAME_RE.fullmatch(name or ""):
            return f"placeholder {shown}: use a plain field name, e.g. {{{sorted(allowed)[0] if allowed else 'count'}}}"
        if allowed is not None and name not in allowed:
            return f"placeholder {shown}: unknown field (fields: {', '.join(sorted(allowed))})"
        if conv:
            return f"placeholder {shown}: conversions such as !{conv} are not allowed"
        if spec and not SPEC_RE.fullmatch(spec):
            return f"placeholder {shown}: format {spec!r} is not allowed (e.g. {{{name}:05d}}, width at most 99)"
    return None


def render(template: str, values: dict[str, Any], fields: Iterable[str] | None = None) -> str:
    """``template`` filled from ``values`` after :func:`template_problem`; ParamError on any problem."""
    problem = template_problem(template, values.keys() if fields is None else fields)
    if problem:
        raise ParamError(problem)
    try:
        return template.format_map(values)
    except (KeyError, ValueError, TypeError, IndexError) as exc:
        raise ParamError(f"template {template!r}: {exc}") from None
