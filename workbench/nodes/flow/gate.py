import enum
from typing import Annotated, Any

from workbench.core.params import Help
from workbench.core.spec import PortSpec, node
from workbench.core.types import ANY, DATA_TYPES, NO_VALUE, AnyValue
from workbench.nodes.flow._logic import PassType, truth


class PassWhen(enum.Enum):
    TRUE = "true"  # the condition is OK / true / not 0
    FALSE = "false"  # the condition is NG / false / 0


def _ports(params: dict, _inst: Any):
    t = DATA_TYPES[params["type"].name]
    return (PortSpec("value", t), PortSpec("condition", ANY)), (PortSpec("out", t),)


@node("flow.gate", name="Gate", category="Flow", ports=_ports,
      description="Passes its value only when the condition holds; otherwise the branch below is skipped.")
def gate(value: AnyValue, condition: AnyValue,
         type: Annotated[PassType, Help("the type of the value passed through")] = PassType.Image,
         pass_when: Annotated[PassWhen, Help("TRUE: pass when the condition is OK / true / not 0; "
                                             "FALSE: pass when it is NG / false / 0")] = PassWhen.TRUE) -> AnyValue:
    """Conditional execution: a verdict, a yes/no, a number or text decides whether ``value`` goes
    on. When it does not, the output has no value and every node that needs it is shown as skipped
    (the rest of the pipeline still runs)."""
    return value if truth(condition) == (pass_when is PassWhen.TRUE) else NO_VALUE
