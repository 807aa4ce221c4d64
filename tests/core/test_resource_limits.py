"""Input limits (issue #18 items 9, 10): image sizes are read from the header and refused above a
settable pixel limit before decoding; rules texts are bounded and parsed in linear time."""

import json
import struct
import zlib

import cv2
import numpy as np
import pytest

from workbench.cli import main
from workbench.core.imageio import ImageReadError, read_image
from workbench.core.imagesize import image_size, max_image_pixels, physical_memory, set_max_image_pixels
from workbench.core.paths import demo_pipeline
from workbench.nodes.judge._rules import MAX_RULES_CHARS, parse_rules


def png_bomb(path, w=30000, h=30000):
    """A PNG header declaring w x h pixels, followed by the start of a stream of zeros (a bomb's head)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    z = zlib.compressobj(9)
    body = z.compress(b"\0" * (w + 1) * 64) + z.flush(zlib.Z_SYNC_FLUSH)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", body))
    return path


@pytest.mark.parametrize("ext", [".png", ".jpg", ".bmp", ".tif", ".webp", ".pgm", ".ppm"])
def test_the_size_is_read_from_the_header(tmp_path, ext):
    img = np.zeros((45, 123, 3), np.uint8)
    path = tmp_path / f"x{ext}"
    assert cv2.imwrite(str(path), img if ext != ".pgm" else img[:, :, 0])
    assert image_size(path.read_bytes()) == (123, 45)


def test_a_decompression_bomb_is_refused_before_decoding(tmp_path):
    bomb = png_bomb(tmp_path / "bomb.png")
    assert bomb.stat().st_size < 100_000 and image_size(bomb.read_bytes()) == (30000, 30000)
    with pytest.raises(ImageReadError, match=r"30000 x 30000 pixels \(900 MP\) is more than the limit"):
        read_image(bomb)


def test_the_limit_follows_memory_and_can_be_set(tmp_path, monkeypatch):
    mem = physical_memory()
    assert max_image_pixels() == min(256 * 2 ** 20, mem // 64)
    img = tmp_path / "small.png"
    cv2.imwrite(str(img), np.zeros((100, 100), np.uint8))
    monkeypatch.setenv("WORKBENCH_MAX_IMAGE_PIXELS", "9999")
    with pytest.raises(ImageReadError, match="WORKBENCH_MAX_IMAGE_PIXELS"):
        read_image(img)
    monkeypatch.delenv("WORKBENCH_MAX_IMAGE_PIXELS")
    set_max_image_pixels(10_000)
    try:
        assert read_image(img).shape == (100, 100)  # exactly the limit is fine
        set_max_image_pixels(9_999)
        with pytest.raises(ImageReadError):
            read_image(img)
    finally:
        set_max_image_pixels(None)


def test_a_folder_run_with_a_bomb_reports_it_in_one_line_and_goes_on(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    png_bomb(folder / "a_bomb.png")
    coins = cv2.imread(str(demo_pipeline().parents[1] / "samples" / "coins.png"))
    cv2.imwrite(str(folder / "b_coins.png"), coins)
    assert main(["run", str(demo_pipeline()), "-i", str(folder), "-o", str(tmp_path / "out"), "-q"]) == 0
    rows = [json.loads(x) for x in (tmp_path / "out" / "results.jsonl").read_text().splitlines()]
    assert len(rows) == 2 and "900 MP" in json.dumps(rows[0]) and rows[1]["verdict"] == "OK"


def test_devices_and_fifos_are_not_read_as_images():
    with pytest.raises(ImageReadError, match="not a regular file"):
        read_image("/dev/zero")


def test_rules_are_bounded_at_validate_and_at_run(tmp_path, capsys):
    huge = "count >= " + " " * 60_000 + "1"
    data = json.loads(demo_pipeline().read_text())
    data["nodes"].append({"id": "rules", "type": "cv.rules_judge", "version": 1, "params": {"rules": huge}})
    data["edges"].append({"from": ["count", "measurements"], "to": ["rules", "measurements"]})
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data))
    assert main(["validate", str(path)]) == 1
    assert f"more than the {MAX_RULES_CHARS:,} allowed" in capsys.readouterr().out
    with pytest.raises(ValueError, match="more than 500"):
        parse_rules("count >= " + " " * 600 + "1")
    # whitespace is normalised before matching: the same rule however it is spaced
    assert parse_rules("count   >=\t\t 3 ;  label   not   in  a, b") == parse_rules("count >= 3; label not in a, b")
