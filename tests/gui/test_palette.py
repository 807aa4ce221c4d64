"""The node palette: every registered node by category, search, drag and double-click."""

import json

import pytest
from PySide6.QtCore import Qt

from workbench.core.paths import resources_dir
from workbench.gui import i18n
from workbench.gui.palette import NODE_MIME, NodePalette


@pytest.fixture
def pal(qtbot):
    p = NodePalette()
    qtbot.addWidget(p)
    p.resize(280, 600)
    p.show()
    return p


def tree_contents(pal):
    out = {}
    for i in range(pal.tree.topLevelItemCount()):
        cat = pal.tree.topLevelItem(i)
        out[cat.data(0, Qt.UserRole + 2)] = [cat.child(j).data(0, Qt.UserRole + 1) for j in range(cat.childCount())]
    return out


def test_every_registry_node_under_its_category(pal):
    contents = tree_contents(pal)
    reg = pal.registry
    assert sorted(n for ids in contents.values() for n in ids) == sorted(s.id for s in reg)
    for cat, ids in contents.items():
        assert all(reg[n].category == cat for n in ids)
        names = [reg[n].name.casefold() for n in ids]
        assert names == sorted(names)
    assert list(contents)[0] == "Sources" and list(contents)[-1] == "Flow"
    assert {"core.graph_input", "core.graph_output"} <= set(contents["Flow"])
    item = pal.item_for("cv.threshold")
    assert "cv.threshold" in item.toolTip(0) and reg["cv.threshold"].description in item.toolTip(0)
    assert not pal.tree.topLevelItem(0).icon(0).isNull()  # the category colour swatch


def test_filter_thresh(pal):
    pal.set_filter("thresh")
    shown = pal.visible_type_ids()
    assert "cv.threshold" in shown and "cv.gaussian_blur" not in shown and len(shown) < len(pal.registry)
    reg = pal.registry
    for tid in shown:
        s = reg[tid]
        assert "thresh" in f"{s.name} {s.id} {s.description}".lower()
    assert pal.tree.currentItem().data(0, Qt.UserRole + 1) == "cv.threshold"  # the best match is highlighted
    cat = pal.item_for("cv.gaussian_blur").parent()
    assert cat.isHidden() or pal.item_for("cv.gaussian_blur").isHidden()
    pal.set_filter("THRESHOLD otsu")  # case-insensitive, every word must match
    both = pal.visible_type_ids()
    assert "cv.threshold" in both and len(both) < len(shown)
    for tid in both:
        s = reg[tid]
        text = f"{s.name} {s.id} {s.description} {s.category}".lower()
        assert "threshold" in text and "otsu" in text
    pal.set_filter("zzz no such node")
    assert pal.visible_type_ids() == [] and pal.empty.isVisible()
    pal.set_filter("")
    assert len(pal.visible_type_ids()) == len(reg) and not pal.empty.isVisible()


def test_search_box_is_the_filter_and_enter_adds_the_best_match(pal, qtbot):
    got = []
    pal.nodeRequested.connect(got.append)
    qtbot.keyClicks(pal.search, "gauss")
    assert "cv.gaussian_blur" in pal.visible_type_ids() and "cv.threshold" not in pal.visible_type_ids()
    qtbot.keyClick(pal.search, Qt.Key_Return)
    assert got == ["cv.gaussian_blur"]
    qtbot.keyClick(pal.search, Qt.Key_Down)
    assert pal.tree.currentItem().data(0, Qt.UserRole + 1) == "cv.gaussian_blur"


def test_chinese_names_and_filter(pal):
    zh = json.loads((resources_dir() / "translations" / "zh_CN.json").read_text(encoding="utf-8"))
    name = zh["Threshold"]
    try:
        i18n.set_language("zh_CN")
        pal.retranslate()
        assert pal.item_for("cv.threshold").text(0) == name
        pal.set_filter(name)
        assert "cv.threshold" in pal.visible_type_ids() and "cv.gaussian_blur" not in pal.visible_type_ids()
        pal.set_filter("threshold")  # English still matches
        assert "cv.threshold" in pal.visible_type_ids()
    finally:
        i18n.set_language("en")
    pal.retranslate()
    assert pal.item_for("cv.threshold").text(0) == "Threshold"


def test_drag_mime_data_is_the_type_id(pal):
    item = pal.item_for("cv.threshold")
    data = pal.tree.mimeData([item])
    assert NODE_MIME in pal.tree.mimeTypes()
    assert bytes(data.data(NODE_MIME)).decode("utf-8") == "cv.threshold"
    assert pal.tree.mimeData([item.parent()]) is None  # a category does not drag
    assert item.flags() & Qt.ItemIsDragEnabled and not item.parent().flags() & Qt.ItemIsDragEnabled


def test_double_click_and_enter_request_the_node(pal, qtbot):
    got = []
    pal.nodeRequested.connect(got.append)
    item = pal.item_for("cv.threshold")
    item.parent().setExpanded(True)
    pal.tree.scrollToItem(item)
    pal.tree.doItemsLayout()
    rect = pal.tree.visualItemRect(item)
    assert rect.isValid()
    qtbot.mouseClick(pal.tree.viewport(), Qt.LeftButton, pos=rect.center())
    assert pal.tree.currentItem() is item and got == []
    qtbot.mouseDClick(pal.tree.viewport(), Qt.LeftButton, pos=rect.center())
    assert got == ["cv.threshold"]
    pal.tree.setCurrentItem(pal.item_for("io.image_file"))
    qtbot.keyClick(pal.tree, Qt.Key_Return)
    assert got == ["cv.threshold", "io.image_file"]
    cat = pal.tree.topLevelItem(0)
    qtbot.mouseDClick(pal.tree.viewport(), Qt.LeftButton, pos=pal.tree.visualItemRect(cat).center())
    assert got == ["cv.threshold", "io.image_file"]  # a category adds nothing


def test_expansion_is_restored_after_a_search(pal):
    cat = pal.item_for("cv.threshold").parent()
    cat.setExpanded(True)
    other = pal.item_for("io.image_file").parent()
    assert not other.isExpanded()
    pal.set_filter("image")
    assert other.isExpanded()
    pal.set_filter("")
    assert cat.isExpanded() and not other.isExpanded()
