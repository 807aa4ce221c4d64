"""A seeded fuzzer for pipeline files: mutated copies of the bundled pipelines must load as a Pipeline
or fail with a PipelineError/WorkbenchError (one clear line) — never another exception — and what
loads must save and load again to the same text.

    python -m tests.core.fuzz_pipelines 100000 --seed 18     # the long run documented in docs/SECURITY.md

tests/core/test_loader_hardening.py runs 10,000 of them in CI.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

from workbench.core.errors import WorkbenchError
from workbench.core.paths import pipelines_dir
from workbench.core.pipeline_file import dumps_pipeline, loads_pipeline, validate

TOKENS = ['{', '}', '[', ']', ',', ':', '"', 'null', 'true', 'false', '1e999', '-0', '0.5', '-1', '1e308',
          '9' * 4400, '"\\ud800"', '"\\udfff x"', '[' * 3000, '{"a": 1, "a": 2}', '"../../x"', '"/etc/passwd"',
          '"~/.bashrc"', '"{stem.__class__}"', '"{stem:>999999999}"', '"{index:05d}"', 'NaN', 'Infinity',
          '"nodes"', '"edges"', '"type"', '"params"', '"core.subgraph"', '"graph"', '"\\u0000"', '"\\n=cmd"',
          '2147483648', '-9223372036854775809', '"' + 'x' * 5000 + '"', '{"shape": "polygon", "points": []}']
VALUES = [None, True, False, 0, -1, 2 ** 63, -2 ** 63 - 1, 10 ** 400, 1e308, -1e-308, 0.1, "", "x", "#zzzzzz",
          "#00ff00", "..", "/abs/path", "~", "{stem!r}", "{node.__dict__}", "{index:>99999}", "\u00e9\u4e2d",
          [], {}, [1, 2], {"shape": "rect", "x": 0, "y": 0, "w": -1, "h": 5}, {"shape": "circle", "cx": 1, "cy": 1,
                                                                                "r": 1e308},
          ["a", "b"], ["n", 1], {"from": ["a", "b"], "to": ["c", "d"]}, "cv.gaussian_blur", "core.subgraph",
          float("inf"), float("nan")]


def seeds() -> list[tuple[str, str]]:
    return [(p.name, p.read_text(encoding="utf-8")) for p in sorted(pipelines_dir().glob("*.json"))]


def mutate_text(text: str, rng: random.Random) -> str:
    n = len(text)
    for _ in range(rng.choice([1, 1, 2, 3])):
        n = len(text)
        i, j = sorted(rng.randrange(n + 1) for _ in range(2))
        op = rng.randrange(6)
        if op == 0 and n:  # flip one character
            text = text[:i] + chr(rng.choice([rng.randrange(32, 127), rng.randrange(0x80, 0x3000)])) + text[i + 1:]
        elif op == 1:  # delete a span
            text = text[:i] + text[j:j + 1] + text[j + 1:] if j - i < 200 else text[:i] + text[i + 10:]
        elif op == 2:  # duplicate a span
            text = text[:j] + text[i:min(j, i + 300)] + text[j:]
        elif op == 3:  # insert a token
            text = text[:i] + rng.choice(TOKENS) + text[i:]
        elif op == 4:  # truncate
            text = text[:i]
        else:  # deep nesting around a value
            d = rng.choice([10, 150, 400, 5000])
            text = text[:i] + "[" * d + "1" + "]" * d + text[j:]
    return text


def _containers(x, out: list) -> list:
    stack = [x]
    while stack:
        v = stack.pop()
        if isinstance(v, (dict, list)):
            out.append(v)
            stack.extend(v.values() if isinstance(v, dict) else v)
    return out


def _value(rng: random.Random):
    return copy.deepcopy(rng.choice(VALUES))


def mutate_tree(data, rng: random.Random):
    data = copy.deepcopy(data)
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        boxes = _containers(data, [])
        box = rng.choice(boxes)
        if isinstance(box, dict):
            op = rng.randrange(4)
            if box and op == 0:
                box[rng.choice(list(box))] = _value(rng)
            elif box and op == 1:
                del box[rng.choice(list(box))]
            elif op == 2:
                box[rng.choice(["extra", "id", "type", "params", "graph", "version", "\ud800"])] = _value(rng)
            elif box:  # a value moved under another key
                k1, k2 = rng.choice(list(box)), rng.choice(list(box))
                box[k1], box[k2] = box[k2], box[k1]
        else:
            op = rng.randrange(3)
            if box and op == 0:
                box[rng.randrange(len(box))] = _value(rng)
            elif box and op == 1:
                box.append(copy.deepcopy(rng.choice(box)))  # e.g. a duplicate node id or edge
            else:
                box.insert(0, _value(rng))
    return json.dumps(data, ensure_ascii=rng.random() < 0.5, allow_nan=True)


def check(text: str, base_dir: Path, incomplete: bool) -> str:
    """'loaded', 'refused', or raises AssertionError with the traceback of an uncaught exception."""
    try:
        pipe = loads_pipeline(text, base_dir=base_dir, allow_incomplete=incomplete)
    except WorkbenchError as exc:
        assert str(exc) and "\n" not in str(exc).strip(), f"not one line: {exc!r}"
        return "refused"
    except Exception:
        raise AssertionError(f"uncaught on load:\n{traceback.format_exc()}\n--- input ---\n{text[:2000]}") from None
    try:
        saved = dumps_pipeline(pipe)
        again = dumps_pipeline(loads_pipeline(saved, base_dir=base_dir, allow_incomplete=True))
        validate(pipe)
    except Exception:
        raise AssertionError(f"uncaught after load:\n{traceback.format_exc()}\n--- input ---\n{text[:2000]}") from None
    assert again == saved, "load -> save -> load changed the file"
    return "loaded"


def run(count: int, seed: int, base_dir: Path | None = None, progress: bool = False) -> Counter:
    rng = random.Random(seed)
    sources = seeds()
    trees = [json.loads(t) for _, t in sources]
    base_dir = base_dir or pipelines_dir()
    outcome: Counter = Counter()
    t0 = time.monotonic()
    for i in range(count):
        k = rng.randrange(len(sources))
        text = mutate_text(sources[k][1], rng) if rng.random() < 0.5 else mutate_tree(trees[k], rng)
        outcome[check(text, base_dir, incomplete=rng.random() < 0.3)] += 1
        if progress and (i + 1) % 10000 == 0:
            print(f"{i + 1} files, {dict(outcome)}, {time.monotonic() - t0:.0f} s", file=sys.stderr)
    return outcome


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("count", type=int, nargs="?", default=100_000)
    ap.add_argument("--seed", type=int, default=18)
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    outcome = run(args.count, args.seed, progress=True)
    print(f"{args.count} mutated pipelines (seed {args.seed}): {outcome['loaded']} loaded, {outcome['refused']} "
          f"refused with one line, 0 uncaught exceptions, {time.monotonic() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
