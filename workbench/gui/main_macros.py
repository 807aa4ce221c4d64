"""The main window's macro tabs: tuning the nodes inside a macro, their badges and results.

A macro opened in its own tab (``MainWindow.open_macro``) has its own canvas over a `Document`
of the inner graph. Selecting a node there shows it in the Inspector (bound to that inner
document: edits go through the shared undo stack and re-run the outer pipeline) and in the
viewer, with the inner run's result (`RunResult.inner[macro id]`, kept by the engine). After
each run the inner canvases get their status badges.

Chosen inner parameters can be *exposed* on the macro: the Inspector of the macro node then
shows them too (`workbench.core.subgraph.exposed_params`). Mixed into MainWindow.
"""

from __future__ import annotations

from workbench.core.engine import CACHED, FAILED, OK, RunResult
from workbench.core.graph import Pipeline
from workbench.gui.display import ViewContent, view_content


class MacroMixin:
    """Needs: self.doc, self.tabs, self._macro_docs, self.inspector, self.result(_pipeline)."""

    def _macro_canvas(self):
        """The macro tab shown now, or None (the main canvas)."""
        w = self.tabs.currentWidget()
        return w if getattr(w, "macro_id", None) else None

    def _connect_macro_canvas(self, canvas) -> None:
        canvas.selectionChangedIds.connect(lambda ids, c=canvas: self._inner_selection_changed(c, ids))
        self._show_inner_badges(canvas)

    def _inner_selection_changed(self, canvas, ids: list[str]) -> None:
        inner_doc = self._macro_docs.get(id(canvas))
        if inner_doc is None:
            return
        self.inspector.set_node(None)
        self.inspector.set_document(inner_doc, macro=(self.doc, canvas.macro_id))
        self.inspector.set_node(ids[0] if len(ids) == 1 else None)
        self._update_run_info()
        self._show_selected()

    def _tab_changed(self, _index: int) -> None:
        canvas = self._macro_canvas()
        if canvas is None:
            self.inspector.set_node(None)
            self.inspector.set_document(self.doc)
            self._selection_changed(self.canvas.selected_ids())
        else:
            self._inner_selection_changed(canvas, canvas.selected_ids())

    def inner_result(self, macro_id: str) -> tuple[Pipeline, RunResult] | None:
        """The inner graph as it ran and its result, for a macro of the last run."""
        if self.result is None or self.result_pipeline is None:
            return None
        inst = self.result_pipeline.nodes.get(macro_id)
        res = self.result.inner.get(macro_id)
        if inst is None or inst.graph is None or res is None:
            return None
        return inst.graph, res

    def _inner_view(self) -> ViewContent | None:
        """What the viewer shows for the node selected in the macro tab (None: not in a macro tab)."""
        canvas = self._macro_canvas()
        if canvas is None:
            return None
        sel = canvas.selected_ids()
        if len(sel) != 1:
            return None  # nothing chosen inside: the viewer keeps showing the outer result
        found = self.inner_result(canvas.macro_id)
        return view_content(found[0], found[1], sel[0]) if found else ViewContent(None, title=sel[0])

    def _inner_node_result(self):
        """The NodeResult of the node the inspector shows inside a macro tab, or None."""
        canvas = self._macro_canvas()
        nid = self.inspector.node_id()
        if canvas is None or nid is None:
            return None
        found = self.inner_result(canvas.macro_id)
        return found[1].nodes.get(nid) if found else None

    def _show_inner_badges(self, canvas=None) -> None:
        canvases = [canvas] if canvas is not None else [self.tabs.widget(i) for i in range(1, self.tabs.count())]
        for c in canvases:
            found = self.inner_result(getattr(c, "macro_id", ""))
            if found is None:
                continue
            for nid, r in found[1].nodes.items():
                if nid in c.doc.pipeline.nodes:
                    c.set_status(nid, r.status, r.seconds * 1000 if r.status in (OK, CACHED) else None,
                                 "; ".join(r.notes) if r.notes else (r.message if r.status == FAILED else ""))
