import enum

from workbench.core.spec import node
from workbench.core.types import Verdict, VerdictResult


class Combine(enum.Enum):
    ALL = "all inputs OK"
    ANY = "any input OK"


@node("cv.combine_verdicts", name="Combine Verdicts", category="Judgment")
def combine_verdicts(a: Verdict | None = None, b: Verdict | None = None, c: Verdict | None = None,
                     d: Verdict | None = None, combine: Combine = Combine.ALL) -> Verdict:
    """Combines up to four verdicts into one: OK when all (or any) of the linked verdicts are OK.

    The reasons of the NG inputs are kept, each prefixed with its input name (a: ..., b: ...)."""
    linked = [(n, v) for n, v in zip("abcd", (a, b, c, d)) if v is not None]
    if not linked:
        raise ValueError("link at least one verdict to combine")
    oks = [v.ok for _, v in linked]
    ok = all(oks) if combine is Combine.ALL else any(oks)
    reasons = []
    if not ok:
        for n, v in linked:
            if not v.ok:
                reasons += [f"{n}: {r}" for r in v.reasons] or [f"{n}: NG"]
    return VerdictResult(ok, reasons)
