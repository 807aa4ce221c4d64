"""F1 on a node (canvas or library): its help in the app, in the current language — what it
does, its ports, its parameters (range, default, meaning) and an example of it in a pipeline file.
Everything comes from the node's spec and the translation tables; nothing is downloaded."""

from __future__ import annotations

import html
import json

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

from workbench.core.spec import NodeSpec
from workbench.gui import theme
from workbench.gui.i18n import node_tr, t


def _range(p) -> str:
    if p.choices:
        return " · ".join(p.choices)
    if p.minimum is None and p.maximum is None:
        return ""
    lo = "−∞" if p.minimum is None else f"{p.minimum:g}"
    hi = "∞" if p.maximum is None else f"{p.maximum:g}"
    return f"{lo} … {hi}" + (" (" + t("follows the image depth") + ")" if p.follows_depth else "")


def example(spec: NodeSpec) -> str:
    """The node as it appears in a pipeline file, with its default parameters."""
    node = {"id": spec.id.split(".")[-1], "type": spec.id, "version": spec.version,
            "params": {p.name: p.to_json(p.default) for p in spec.params}}
    return json.dumps(node, indent=2, ensure_ascii=False, sort_keys=True)


def help_html(spec: NodeSpec) -> str:
    """The help page of a node (HTML for a QTextBrowser)."""
    e = html.escape
    muted = theme.canvas_colors()["subtext"].name()
    parts = [f"<h2>{e(node_tr(spec.name))}</h2>",
             f"<p style='color:{muted}'>{e(spec.id)} · {e(node_tr(spec.category))} · v{spec.version}</p>",
             f"<p>{e(node_tr(spec.description))}</p>" if spec.description else ""]
    for title, ports in ((t("Inputs"), spec.inputs), (t("Outputs"), spec.outputs)):
        if ports:
            rows = "".join(f"<tr><td><b>{e(node_tr(p.name))}</b></td><td>{e(p.type.name)}</td>"
                           f"<td>{e(t('optional')) if p.optional else ''}</td></tr>" for p in ports)
            parts.append(f"<h3>{e(title)}</h3><table cellpadding='3'>{rows}</table>")
    if spec.params:
        head = "".join(f"<th align='left'>{e(h)}</th>" for h in (t("Parameter"), t("Range"), t("Default"),
                                                                t("Meaning")))
        rows = "".join(
            f"<tr><td><b>{e(node_tr(p.label))}</b><br><span style='color:{muted}'>{e(p.name)}</span></td>"
            f"<td>{e(_range(p))}</td><td>{e(str(p.to_json(p.default)))}</td><td>{e(p.help)}</td></tr>"
            for p in spec.params)
        parts.append(f"<h3>{e(t('Parameters'))}</h3><table cellpadding='3'><tr>{head}</tr>{rows}</table>")
    parts.append(f"<h3>{e(t('Example'))}</h3><p>{e(t('In a pipeline file:'))}</p>"
                 f"<pre>{e(example(spec))}</pre>")
    return "".join(parts)


class NodeHelpDialog(QDialog):
    def __init__(self, spec: NodeSpec, parent=None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.resize(640, 560)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.show_spec(spec)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.browser)
        lay.addWidget(buttons)

    def show_spec(self, spec: NodeSpec) -> None:
        """Show another node's help (F1 again while the window is open)."""
        self.spec = spec
        self.setWindowTitle(t("Help") + f": {node_tr(spec.name)}")
        self.browser.setHtml(help_html(spec))

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.LanguageChange:
            self.show_spec(self.spec)  # the open help follows a language switch
        super().changeEvent(event)
