"""What flow nodes take as a condition or a selector: shared by gate and switch. No Qt."""

from __future__ import annotations

import enum
from typing import Any

import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.types import DATA_TYPES, NO_VALUE, ClassificationResult, VerdictResult

# the type a gate/switch passes through: a parameter, so that its ports are typed (an Image
# output links into an Image input; an Any output would link nowhere)
PassType = enum.Enum("PassType", {name: name for name in DATA_TYPES if name != "Any"} | {"Any": "Any"})


def truth(value: Any) -> bool:
    """A condition's truth: a verdict is true when OK; a number when not 0; text when not empty;
    a classification when its score is above 0; no value is false."""
    if value is None or value is NO_VALUE:
        return False
    if isinstance(value, VerdictResult):
        return bool(value.ok)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return bool(value != 0)
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, ClassificationResult):
        return value.score > 0
    if hasattr(value, "__len__"):
        return len(value) > 0
    raise NodeInputError(f"cannot use {type(value).__name__} as a condition: link a verdict, a yes/no or a number")


def index_of(value: Any, count: int) -> int:
    """A switch's choice: a verdict or yes/no picks input 0 when OK/true and 1 when NG/false; an
    integer picks that input (0-based)."""
    if isinstance(value, (VerdictResult, bool, np.bool_)):
        return 0 if truth(value) else 1
    if isinstance(value, (int, np.integer)):
        i = int(value)
        if not 0 <= i < count:
            raise NodeInputError(f"selector {i} is out of range: inputs 0 to {count - 1}")
        return i
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return index_of(int(value), count)
    raise NodeInputError(f"cannot select with {type(value).__name__}: link a verdict, a yes/no or an integer")
