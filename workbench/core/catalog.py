"""The node reference (docs/nodes.md), generated from the registry's specs."""

from __future__ import annotations

from workbench.core.registry import Registry


def _param_line(d: dict) -> str:
    extra = []
    if "choices" in d:
        extra.append("one of " + ", ".join(f"`{c}`" for c in d["choices"]))
    if "min" in d or "max" in d:
        lo = f"{d['min']:g}" if "min" in d else "−∞"
        hi = f"{d['max']:g}" if "max" in d else "∞"
        extra.append(f"range {lo}…{hi}")
    if d.get("optional"):
        extra.append("optional")
    if d.get("help"):
        extra.append(d["help"])
    default = f"`{d['default']!r}`" if d["default"] not in (None, "") else "—"
    return f"| `{d['name']}` | {d['type']} | {default} | {'; '.join(extra)} |"


def nodes_markdown(registry: Registry) -> str:
    out = ["# Node reference", "",
           "Generated from the node registry by `workbench nodes --markdown`; do not edit by hand "
           "(a test checks that this file is current).", "",
           f"{len(registry)} nodes in {len(registry.categories())} categories.", ""]
    for cat in registry.categories():
        out.append(f"- [{cat}](#{cat.lower().replace(' ', '-').replace('&', '')})")
    category = None
    for s in registry:
        if s.category != category:
            category = s.category
            out += ["", f"## {category}"]
        out += ["", f"### {s.name} — `{s.id}` (v{s.version})", ""]
        if s.description:
            out += [s.description, ""]
        ins = ", ".join(f"`{p.name}` {p.type.name}{' (optional)' if p.optional else ''}" for p in s.inputs) or "—"
        outs = ", ".join(f"`{p.name}` {p.type.name}" for p in s.outputs) or "—"
        out += [f"Inputs: {ins}  ", f"Outputs: {outs}"]
        if s.params:
            out += ["", "| parameter | type | default | notes |", "|---|---|---|---|"]
            out += [_param_line(p.describe()) for p in s.params]
    return "\n".join(out) + "\n"
