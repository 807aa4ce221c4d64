from typing import Annotated

from workbench.core.params import Help
from workbench.core.spec import node
from workbench.core.types import Bool, Verdict, VerdictResult


@node("cv.verdict_from_bool", name="Verdict From Bool", category="Judgment")
def verdict_from_bool(value: Bool,
                      ok_when: Annotated[bool, Help("the value that means OK")] = True,
                      reason: Annotated[str, Help("reason given when NG")] = "condition not met") -> Verdict:
    """Turns a yes/no result (e.g. chessboard found, code read) into an OK/NG verdict."""
    ok = bool(value) == ok_when
    return VerdictResult(ok, [] if ok else [reason or "NG"])
