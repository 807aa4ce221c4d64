"""A tiny, safe rule language for the Rules Judge. Rules are data: they are parsed, never eval'd.

    rules   := rule (';' | newline) rule ...
    rule    := NAME OP VALUE
    NAME    := letters, digits, _ . : -   (starting with a letter or _), e.g. count, count:scratch
    OP      := in | not in | >= | <= | > | < | == | !=
    VALUE   := number | 'text' | "text" | word          (for comparisons)
             | lo..hi                                   (a closed range, for in / not in)
             | v1, v2, ...                              (a set of numbers or words, for in / not in)
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Any

from workbench.core.errors import ParamError

NAME = r"[A-Za-z_][\w.:\-]*"
RULE_RE = re.compile(rf"^\s*({NAME})\s*(?:(>=|<=|==|!=|>|<)|\s(not\s+in|in)\s)\s*(.*?)\s*$")
NUM_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|^[+-]?inf$")
WORD_RE = re.compile(r"^[\w.:\-]+$")


@dataclass(frozen=True)
class Rule:
    text: str
    name: str
    op: str  # one of in, not in, >=, <=, >, <, ==, !=
    value: Any  # float | str | (lo, hi) for ranges | tuple of values for sets
    is_range: bool = False

    def expectation(self) -> str:
        v = self.value
        if self.is_range:
            return f"{self.op} {_fmt(v[0])}..{_fmt(v[1])}"
        if isinstance(v, tuple):
            return f"{self.op} {', '.join(_fmt(x) for x in v)}"
        return f"{self.op} {_fmt(v)}"

    def check(self, actual: Any) -> bool:
        """True when the actual value satisfies the rule. Raises ParamError on a type mismatch."""
        op, v = self.op, self.value
        if op in ("in", "not in"):
            if self.is_range:
                self._need_number(actual)
                inside = v[0] <= float(actual) <= v[1]
            else:
                inside = any(_equal(actual, x) for x in v)
            return inside if op == "in" else not inside
        if op in ("==", "!="):
            eq = _equal(actual, v)
            if isinstance(v, str) != isinstance(actual, str):
                raise ParamError(f"rule {self.text!r}: {self.name} is "
                                 f"{'text' if isinstance(actual, str) else 'a number'}, compared with "
                                 f"{'text' if isinstance(v, str) else 'a number'}")
            return eq if op == "==" else not eq
        self._need_number(actual)
        if isinstance(v, str):
            raise ParamError(f"rule {self.text!r}: {op} needs a number, got {v!r}")
        a = float(actual)
        return {">=": a >= v, "<=": a <= v, ">": a > v, "<": a < v}[op]

    def _need_number(self, actual: Any) -> None:
        if isinstance(actual, str):
            raise ParamError(f"rule {self.text!r}: {self.name} is text ({actual!r}); only ==, != and in apply")


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return str(a) == str(b)
    return float(a) == float(b)


def _fmt(x: Any) -> str:
    if isinstance(x, str):
        return x
    return f"{x:g}"


def _value(raw: str, rule: str) -> float | str:
    raw = raw.strip()
    if NUM_RE.match(raw):
        return float(raw)
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    if WORD_RE.match(raw):
        return raw
    raise ParamError(f"rule {rule!r}: cannot read value {raw!r} (a number, a word or 'quoted text')")


MAX_RULES_CHARS = 10_000  # the whole rules text (a few hundred rules)
MAX_RULE_CHARS = 500  # one rule


def parse_rule(text: str) -> Rule:
    if len(text) > MAX_RULE_CHARS:
        raise ParamError(f"rule {text.strip()[:40]!r}…: {len(text):,} characters, more than {MAX_RULE_CHARS}")
    text = " ".join(text.split())  # runs of spaces made the pattern below backtrack (quadratic time)
    m = RULE_RE.match(text)
    if not m:
        raise ParamError(f"rule {text.strip()!r}: expected NAME OP VALUE with OP one of "
                         "in, not in, >=, <=, >, <, ==, !=")
    name, sym, word, raw = m.groups()
    op = sym or re.sub(r"\s+", " ", word)
    rule = text.strip()
    if not raw:
        raise ParamError(f"rule {rule!r}: missing a value after {op}")
    if op in ("in", "not in"):
        if ".." in raw and not raw.startswith(("'", '"')):
            lo_s, _, hi_s = raw.partition("..")
            lo, hi = _value(lo_s, rule), _value(hi_s, rule)
            if isinstance(lo, str) or isinstance(hi, str):
                raise ParamError(f"rule {rule!r}: a range lo..hi needs numbers")
            if math.isnan(lo) or lo > hi:
                raise ParamError(f"rule {rule!r}: range {raw} is empty (low > high)")
            return Rule(rule, name, op, (lo, hi), True)
        items = tuple(_value(x, rule) for x in raw.split(",") if x.strip())
        if not items:
            raise ParamError(f"rule {rule!r}: {op} needs lo..hi or a list of values")
        return Rule(rule, name, op, items)
    if "," in raw or (".." in raw and not raw.startswith(("'", '"'))):
        raise ParamError(f"rule {rule!r}: ranges and lists need 'in' / 'not in'")
    return Rule(rule, name, op, _value(raw, rule))


@functools.lru_cache(maxsize=64)
def _parse_cached(text: str) -> tuple[Rule, ...]:
    parts = [p.strip() for p in re.split(r"[;\n]", text) if p.strip()]
    if not parts:
        raise ParamError("no rules: write e.g. 'count in 20..26; mean_area >= 100'")
    return tuple(parse_rule(p) for p in parts)


def parse_rules(text: str) -> list[Rule]:
    """The rules of ``text`` (parsed once per distinct text, not once per frame)."""
    if len(text) > MAX_RULES_CHARS:
        raise ParamError(f"rules: {len(text):,} characters, more than the {MAX_RULES_CHARS:,} allowed")
    return list(_parse_cached(text))

