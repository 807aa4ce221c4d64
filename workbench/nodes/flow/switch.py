from typing import Annotated, Any

from workbench.core.params import Help, Range
from workbench.core.spec import PortSpec, node
from workbench.core.types import ANY, DATA_TYPES, NO_VALUE, AnyValue
from workbench.nodes.flow._logic import PassType, index_of

_NAMES = ("in0", "in1", "in2", "in3")


def _ports(params: dict, _inst: Any):
    t = DATA_TYPES[params["type"].name]
    n = max(2, min(len(_NAMES), int(params.get("inputs", 2))))
    return ((PortSpec("select", ANY),) + tuple(PortSpec(name, t, True) for name in _NAMES[:n]),
            (PortSpec("out", t),))


@node("flow.switch", name="Switch", category="Flow", ports=_ports, merge=True,
      description="Picks one of its inputs: by a verdict or yes/no (OK/true: in0, NG/false: in1) or by an index.")
def switch(select: AnyValue, in0: AnyValue = None, in1: AnyValue = None, in2: AnyValue = None,
           in3: AnyValue = None,
           type: Annotated[PassType, Help("the type of the values")] = PassType.Image,
           inputs: Annotated[int, Range(2, 4, 1), Help("how many inputs (2 to 4)")] = 2) -> AnyValue:
    """Only the chosen input matters: the others may come from branches that were skipped. When the
    chosen input has no value (its branch was skipped), the output has none either."""
    values = (in0, in1, in2, in3)[:max(2, min(len(_NAMES), inputs))]
    chosen = values[index_of(select, len(values))]
    return NO_VALUE if chosen is None else chosen
