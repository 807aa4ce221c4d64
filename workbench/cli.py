"""The `workbench` command line.

    workbench [gui [PIPELINE] [--screenshot FILE.png]]
    workbench run PIPELINE [--input FILE|DIR] [--output DIR] [--set NODE.PARAM=VALUE]... [--db FILE] [--workers N]
    workbench stream PIPELINE [--source folder:DIR|video:FILE|camera:0|url:rtsp://…|genicam:ID] [--db FILE] [--frames N]
                              [--workers N]
    workbench replay PIPELINE --db FILE [--since TIME] [--until TIME] [--limit N] [--output DIR] [--workers N]
                              [--cluster local[:N]|dask://HOST:PORT]
    workbench operator PIPELINE [--source SPEC] [--db FILE] [--windowed] [--screenshot FILE.png --frames N]
    workbench validate PIPELINE
    workbench password set [--role engineer|admin] | status
    workbench nodes [--json]
    workbench info [--json]
    workbench samples
    workbench models [--force]
    workbench model info|bench|quantize MODEL ...   (see workbench/model_cli.py)
    workbench train anomaly --good DIR [--bad DIR] --output MODEL.onnx | classify --data DIR --output MODEL.onnx

Every error prints as one line; --debug shows the traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from workbench import __version__
from workbench.core.errors import PipelineError, WorkbenchError

from workbench.cli_catalog import (cmd_cameras, cmd_info, cmd_models, cmd_nodes, cmd_self_test, cmd_samples,
                                   cmd_validate)
from workbench.cli_exit import (EXIT_CANCELLED, EXIT_DATA_LOST, EXIT_ERROR, EXIT_INTERNAL,  # noqa: F401 - re-exported
                                EXIT_OK, EXIT_PROBLEMS)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="workbench", description="Vision Workbench: machine-vision pipelines.")
    p.add_argument("--version", action="version", version=f"workbench {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
    sub = p.add_subparsers(dest="command")

    g = sub.add_parser("gui", help="open the desktop workbench (the default command)")
    g.add_argument("pipeline", nargs="?", help="pipeline file to open (default: the bundled demo)")
    g.add_argument("--screenshot", metavar="FILE.png", help="open, run once, save a PNG of the window and exit")

    r = sub.add_parser("run", help="run a pipeline headless over a file or a folder of images")
    r.add_argument("pipeline")
    r.add_argument("--input", "-i", metavar="FILE|DIR", help="image file or folder (default: the pipeline's own source)")
    r.add_argument("--output", "-o", metavar="DIR", help="where results.jsonl/.csv and saved images go "
                                                          "(default: ./results/<pipeline name>)")
    r.add_argument("--set", action="append", default=[], metavar="NODE.PARAM=VALUE", help="override a parameter")
    r.add_argument("--source", metavar="NODE", help="source node that receives --input (default: the first)")
    r.add_argument("--quiet", "-q", action="store_true", help="print only the summary")
    _worker_args(r)
    _db_args(r, default_db=False)

    st_ = sub.add_parser("stream", help="run a pipeline continuously on a camera, video or image folder (headless)")
    st_.add_argument("pipeline")
    _source_args(st_, required=False)
    st_.add_argument("--frames", "-n", type=int, metavar="N", help="stop after N frames (default: run until the "
                                                                   "source ends or Ctrl+C)")
    st_.add_argument("--quiet", "-q", action="store_true", help="no status line, only the summary")
    st_.add_argument("--workers", "-j", metavar="N|auto", default="auto",
                     help="frames processed in parallel threads, emitted in frame order (default auto: one per "
                          "usable core, at most 8)")
    _db_args(st_, default_db=True)
    st_.add_argument("--db-queue", type=int, default=1000, metavar="N",
                     help="records kept in memory while the database cannot be written (disk full), retried "
                          "in order; beyond N the oldest are lost and counted (default: 1000)")

    op = sub.add_parser("operator", help="the operator screen: run a pipeline on the line, full screen")
    op.add_argument("pipeline")
    _source_args(op, required=False)
    op.add_argument("--windowed", action="store_true", help="a normal window instead of full screen")
    op.add_argument("--screenshot", metavar="FILE.png", help="run --frames frames (default 20) or to the end of "
                                                             "the source, save a PNG of the window and exit")
    op.add_argument("--frames", "-n", type=int, metavar="N", help="stop the stream after N frames")
    _db_args(op, default_db=True)

    rp = sub.add_parser("replay", help="re-run a (changed) pipeline over archived inspections and compare verdicts")
    rp.add_argument("pipeline")
    rp.add_argument("--db", required=True, metavar="FILE", help="the results database of the recorded inspections")
    rp.add_argument("--since", metavar="TIME", help="only inspections at or after TIME (ISO, e.g. 2026-11-21T08:00)")
    rp.add_argument("--until", metavar="TIME", help="only inspections at or before TIME")
    rp.add_argument("--limit", type=int, metavar="N", help="at most N inspections (oldest first)")
    rp.add_argument("--output", "-o", metavar="DIR", help="where replay.csv goes (default: ./replay/<pipeline name>)")
    rp.add_argument("--set", action="append", default=[], metavar="NODE.PARAM=VALUE", help="override a parameter")
    rp.add_argument("--source", metavar="NODE", help="source node that receives the images (default: the first)")
    rp.add_argument("--changes-only", action="store_true", help="list only the inspections whose verdict changed")
    _worker_args(rp)
    rp.add_argument("--cluster", metavar="local[:N]|dask://HOST:PORT",
                    help="run on Dask: a local cluster of N worker processes, or a running scheduler; results go "
                         "into <output>/replay.db in order, and running again resumes (needs the cluster extra)")
    rp.add_argument("--chunk", type=int, default=8, metavar="N", help="images per Dask task (default 8)")

    from workbench.cli_catalog import add_parsers as add_catalog_parsers

    v = add_catalog_parsers(sub)
    _allow_args(r, st_, op, rp, v)
    from workbench.cli_password import add_parser

    add_parser(sub)
    from workbench.training.cli import add_parser as add_train_parser

    add_train_parser(sub)
    return p


def _allow_args(*parsers: argparse.ArgumentParser) -> None:
    for p in parsers:
        p.add_argument("--allow-write", action="append", default=[], metavar="DIR",
                       help="let the pipeline's Save Image / Write CSV / Write JSON nodes write into DIR "
                            "(by default they write only inside the output folder)")


def _source_args(p: argparse.ArgumentParser, required: bool) -> None:
    """The source, pipeline and output options that stream and operator share."""
    p.add_argument("--source", "-s", required=required, metavar="SPEC",
                   help="folder:DIR, video:FILE, camera:INDEX, url:rtsp://…, genicam:DEVICE-ID or genicam:PRODUCER.cti"
                   + ("" if required else " (default: the pipeline's Camera node, or the images its source reads)"))
    p.add_argument("--rate", type=float, metavar="FPS", help="frames per second to take (default: as fast as possible)")
    p.add_argument("--loop", action="store_true", help="replay the folder/video again from the start at its end")
    p.add_argument("--output", "-o", metavar="DIR", help="where nodes that save files write (default: ./results/<name>)")
    p.add_argument("--set", action="append", default=[], metavar="NODE.PARAM=VALUE", help="override a parameter")
    p.add_argument("--source-node", metavar="NODE", help="source node that receives the frames (default: the first)")
    p.add_argument("--trigger", choices=("free", "plc", "timer", "software"), default="free",
                   help="free: take frames continuously; plc: one frame per rising edge of the PLC trigger coil; "
                        "timer: one frame per tick, --rate ticks per second; software: one frame per press of "
                        "the operator screen's Trigger button")
    p.add_argument("--plc", metavar="CONFIG.json", help="Modbus TCP PLC: verdict, counters, heartbeat, trigger")
    p.add_argument("--tcp", metavar="HOST:PORT", help="send one text line per result to HOST:PORT")
    p.add_argument("--format", default="{verdict};{count};{time}\r\n", metavar="FMT",
                   help="text line for --tcp (fields: verdict, count, time, input, index, latency_ms, reasons)")


def _worker_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", "-j", metavar="N|auto", default="auto",
                   help="parallel workers (default auto: one per usable core, at most 8, and at most one per "
                        "4 inputs; results stay in input order)")
    p.add_argument("--worker-kind", choices=("process", "thread"), default="process",
                   help="process (default; measured faster) or thread workers")


def _db_args(p: argparse.ArgumentParser, default_db: bool) -> None:
    p.add_argument("--db", metavar="FILE", help="record every inspection in this SQLite results database"
                   + (" (default: results.db in the user data folder)" if default_db else ""))
    if default_db:
        p.add_argument("--no-db", action="store_true", help="record nothing")
    p.add_argument("--archive", metavar="DIR", help="folder for the images of NG inspections (default: "
                                                   "<db name>-images beside the database)")
    p.add_argument("--archive-all", action="store_true", help="archive the images of every inspection, not only NG")
    p.add_argument("--archive-max-mb", type=float, default=2048, metavar="MB",
                   help="disk cap of the archive; the oldest images are deleted first (default: 2048)")
    p.add_argument("--no-archive", action="store_true", help="record results without images")


def _open_db(args, default_db: bool):
    """(ResultsDB, Archive | None) from --db/--archive…, or (None, None)."""
    from workbench.runtime.results import Archive, ResultsDB, default_db_path

    if getattr(args, "no_db", False) or (not args.db and not default_db):
        return None, None
    path = Path(args.db) if args.db else default_db_path()
    db = ResultsDB(path)
    archive = None
    if not args.no_archive:
        folder = Path(args.archive) if args.archive else path.parent / f"{path.stem}-images"
        if args.archive_max_mb <= 0:
            raise WorkbenchError("--archive-max-mb must be more than 0")
        archive = Archive(folder, max_bytes=int(args.archive_max_mb * 1024 * 1024), save_all=args.archive_all)
    return db, archive


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from workbench.core.fsnames import FSNAME_ERRORS

    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8 prints as \xff, never fails
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors=FSNAME_ERRORS)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    cmd = args.command or "gui"
    try:
        from workbench.core.threads import configure_threads

        configure_threads()
        if getattr(args, "allow_write", None):
            from workbench.core.writeguard import allow_folder

            for folder in args.allow_write:
                allow_folder(folder)
        return {"gui": cmd_gui, "run": cmd_run, "validate": cmd_validate, "nodes": cmd_nodes,
                "info": cmd_info, "samples": cmd_samples, "models": cmd_models, "stream": cmd_stream, "self-test": cmd_self_test,
                "replay": cmd_replay, "operator": cmd_operator, "password": cmd_password,
                "model": _cmd_model, "train": cmd_train, "cameras": cmd_cameras}[cmd](args)
    except KeyboardInterrupt:
        print("cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    except PipelineError as exc:  # the same exit code as `validate` for the same file
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except WorkbenchError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # unexpected: still one line unless --debug
        if args.debug:
            raise
        first = (str(exc).strip().splitlines() or [""])[0]
        print(f"error: internal error: {type(exc).__name__}: {first} (run with --debug for details)",
              file=sys.stderr)
        return EXIT_INTERNAL


# ---------------------------------------------------------------- commands
def cmd_password(args) -> int:
    from workbench.cli_password import cmd_password as run

    return run(args)


def cmd_gui(args) -> int:
    from workbench.core.paths import demo_pipeline

    path = Path(getattr(args, "pipeline", None) or demo_pipeline())
    try:
        from workbench.gui.app import run_gui
    except ImportError as exc:
        raise WorkbenchError(f"the GUI cannot start: {exc} (run the setup script)") from None
    return run_gui(path, screenshot=getattr(args, "screenshot", None))


def _apply_sets(pipeline, sets: list[str]) -> None:
    for item in sets:
        target, sep, value = item.partition("=")
        nid, dot, pname = target.partition(".")
        if not sep or not dot:
            raise WorkbenchError(f"--set {item!r}: expected NODE.PARAM=VALUE")
        inst = pipeline.nodes.get(nid)
        if inst is None:
            raise WorkbenchError(f"--set {item!r}: no node {nid!r} (nodes: {', '.join(pipeline.nodes)})")
        p = inst.spec.param(pname)
        if p is None:
            names = ", ".join(q.name for q in inst.spec.params)
            raise WorkbenchError(f"--set {item!r}: {inst.type} has no parameter {pname!r} (parameters: {names})")
        pipeline.set_param(nid, pname, p.parse_text(value))


def _collect_inputs(input_arg: str | None, pipeline, source) -> list[Path]:
    from workbench.core.imageio import IMAGE_EXTENSIONS
    from workbench.runtime.batch import default_inputs

    if input_arg is None:
        inputs = default_inputs(pipeline, source)
        if not inputs:
            raise WorkbenchError(f"source {source.id} has no input set: give --input FILE|DIR")
        return inputs
    p = Path(input_arg)
    if p.is_dir():
        files = sorted((f for f in p.iterdir() if f.is_file() and f.suffix.lower() in IMAGE_EXTENSIONS),
                       key=lambda f: f.name.lower())
        if not files:
            raise WorkbenchError(f"no image files in {p} (looked for {', '.join(IMAGE_EXTENSIONS)})")
        return files
    if not p.exists():
        raise WorkbenchError(f"input not found: {p}")
    return [p]


def cmd_run(args) -> int:
    from tqdm import tqdm

    from workbench.core.spec import CancelToken
    from workbench.runtime.batch import BatchRun
    from workbench.runtime.safe_files import OutputWriteError

    pipeline = _load(args.pipeline)
    _apply_sets(pipeline, args.set)
    out = Path(args.output) if args.output else Path.cwd() / "results" / Path(args.pipeline).stem
    batch = BatchRun(pipeline, out, args.source, worker_kind=args.worker_kind)
    inputs = _collect_inputs(args.input, pipeline, batch.source)
    from workbench.runtime.workers import batch_workers

    batch.workers = batch_workers(args.workers, len(inputs))
    db, archive = _open_db(args, default_db=False)
    if db is not None:
        from workbench.runtime.results import BatchRecorder

        batch.on_result = BatchRecorder(db, pipeline, Path(args.pipeline).stem, archive=archive,
                                        source=str(args.input or batch.source.id))
    cancel = CancelToken()
    bar = tqdm(total=len(inputs), unit="img", file=sys.stderr, disable=len(inputs) < 2 or None,
               dynamic_ncols=True, leave=False)

    def on_row(_i, row) -> None:
        bar.update(1)
        if not args.quiet:
            meas = "  ".join(f"{k}={_fmt(v)}" for k, v in row.measurements.items())
            status = row.verdict or ("ERROR" if row.errors else "-")
            line = f"{Path(row.input).name}: {status}  {meas}  ({row.total_ms:.1f} ms)".rstrip()
            for key, text in row.texts.items():
                line += f"\n  {key}: {text!r}"
            for err in row.errors:
                line += f"\n  error: {err}"
            for reason in row.reasons:
                line += f"\n  NG: {reason}"
            tqdm.write(line, file=sys.stdout)

    interrupted, write_error = False, None
    try:
        rows = batch.run(inputs, cancel, on_row)
    except KeyboardInterrupt:
        cancel.cancel()
        interrupted = True
        rows = batch.rows
    except OutputWriteError as exc:  # the disk filled up (or the folder became read-only) during the run
        if not batch.rows:
            raise
        write_error, rows = exc, batch.rows
    finally:
        bar.close()
        if db is not None:
            batch.on_result.close()  # the last tries for records still waiting; what is lost is counted
            db.close()
    n_ok = sum(r.verdict == "OK" for r in rows)
    n_ng = sum(r.verdict == "NG" for r in rows)
    n_err = sum(r.status == "error" for r in rows)
    w = batch.on_result.writer.stats if db is not None else None
    recorded = f" ({w.written} of {len(rows)} recorded)" if w is not None and w.written != len(rows) else ""
    print(f"{len(rows)} input{'s' if len(rows) != 1 else ''}: {n_ok} OK, {n_ng} NG, {n_err} error"
          f"{'s' if n_err != 1 else ''} -> {out / 'results.jsonl'}"
          + (f" and {db.path}{recorded}" if db is not None else ""))
    lost = False
    if w is not None:
        from workbench.runtime.loss_report import db_lines

        lines, lost = db_lines(w, len(rows), db.path)
        _print_lines(lines)
    if write_error is not None:
        logged = batch.row_log.lines if batch.row_log is not None else 0
        stopped = f"; stopped after {len(rows)} of {len(inputs)} inputs" if len(rows) < len(inputs) else ""
        print(f"error: {write_error}{stopped} ({logged} whole rows in results.jsonl)", file=sys.stderr)
        return EXIT_DATA_LOST
    if lost:
        return EXIT_DATA_LOST
    if interrupted:
        print("cancelled: the results above were written", file=sys.stderr)
        return EXIT_CANCELLED
    return EXIT_OK


def cmd_stream(args) -> int:
    import time

    from workbench.runtime.stream import StreamRecorder, StreamRunner

    pipeline = _load(args.pipeline)
    _apply_sets(pipeline, args.set)
    name = Path(args.pipeline).stem
    source, trigger = _stream_source(args, pipeline)
    out = Path(args.output) if args.output else Path.cwd() / "results" / name
    outputs = []
    if args.db_queue < 1:
        raise WorkbenchError("--db-queue must be 1 or more")
    db, archive = _open_db(args, default_db=True)
    try:
        _add_outputs(args, trigger, outputs, pipeline)
        recorder = (StreamRecorder(db, pipeline, name, archive=archive, source=args.source or source.describe(),
                                   queue_size=args.db_queue) if db else None)
        from workbench.runtime.workers import stream_workers

        runner = StreamRunner(pipeline, source, source_node=args.source_node, output_dir=out, recorder=recorder,
                              outputs=outputs, max_frames=args.frames, workers=stream_workers(args.workers))
        interrupted = False
        terminated = _sigterm_as_interrupt()  # a service manager's stop ends the stream gracefully
        runner.start()
        try:
            last = time.monotonic()
            while runner.running:
                runner.join(0.2)
                if not args.quiet and time.monotonic() - last >= 1.0:
                    last = time.monotonic()
                    print(_status_line(runner), flush=True)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            runner.stop()
    finally:
        for o in outputs:
            o.close()
        if db is not None:
            db.close()
    s = runner.stats.snapshot()
    if runner.error and s["processed"] == 0:
        raise WorkbenchError(runner.error)
    from workbench.runtime.loss_report import stream_lines

    lines, lost = stream_lines(runner, db.path if db is not None else None)
    _print_lines(lines)  # before the summary: it stays the last line of stdout
    lost = lost or bool(source.incomplete)  # incomplete: a truncated video
    w = recorder.writer.stats if recorder is not None else None
    recorded = f" ({w.written} of {s['processed']} recorded)" if w is not None and w.written != s["processed"] else ""
    print(f"{s['processed']} frame{'s' if s['processed'] != 1 else ''}: {s['ok']} OK, {s['ng']} NG, "
          f"{s['errors']} error{'s' if s['errors'] != 1 else ''}, {s['dropped']} dropped; "
          f"{runner.stats.overall_fps():.1f} fps, latency mean {s['latency_ms']['mean']:.1f} ms "
          f"(p95 {s['latency_ms']['p95']:.1f})"
          + (f", trigger to result mean {s['trigger_ms']['mean']:.1f} ms (p95 {s['trigger_ms']['p95']:.1f})"
             if runner.stats.trigger_ms else "")
          + (f", camera dropped {s['camera_dropped']}" if s["camera_dropped"] else "")
          + (f" -> {db.path}{recorded}" if db is not None else ""))
    if runner.error:
        print(f"error: {runner.error}", file=sys.stderr)
    if lost:
        return EXIT_DATA_LOST
    if interrupted and terminated:  # SIGTERM: a requested, graceful stop (a service manager counts 130 as failure)
        print("stopped (SIGTERM): the results above were recorded", file=sys.stderr)
        return EXIT_OK
    if interrupted:
        print("cancelled: the results above were recorded", file=sys.stderr)
        return EXIT_CANCELLED
    return EXIT_OK


def _print_lines(lines) -> None:
    for to_stderr, text in lines:
        print(text, file=sys.stderr if to_stderr else sys.stdout)


def _load(path):
    """Load a pipeline file for a command; a sample image it reads is created when missing."""
    from workbench.core.pipeline_file import load_pipeline
    from workbench.runtime.samples import ensure_for_pipeline

    pipeline = load_pipeline(path)
    ensure_for_pipeline(pipeline)
    return pipeline


def _stream_source(args, pipeline):
    """(FrameSource, Trigger | None) from --source/--rate/--loop/--trigger/--frames (stream, operator)."""
    from workbench.runtime.sources import Trigger, TriggerMode

    if args.frames is not None and args.frames < 1:
        raise WorkbenchError("--frames must be 1 or more")
    if args.rate is not None and args.rate <= 0:
        raise WorkbenchError("--rate must be more than 0 frames per second")
    trigger = Trigger(TriggerMode.EXTERNAL) if args.trigger == "plc" else None
    if args.trigger == "software":
        trigger = Trigger(TriggerMode.SOFTWARE)
    if args.trigger == "timer":
        if not args.rate:
            raise WorkbenchError("--trigger timer needs --rate TICKS_PER_SECOND")
        from workbench.runtime.sources import TimerTrigger

        trigger = TimerTrigger(1.0 / args.rate)
    if args.trigger == "plc" and not args.plc and not _pipeline_plc(pipeline):
        raise WorkbenchError("--trigger plc needs --plc CONFIG.json with a \"trigger\" coil")
    from workbench.runtime.feed import pipeline_source

    return pipeline_source(pipeline, args.source or "", source_node=args.source_node, loop=args.loop,
                           rate=args.rate, trigger=trigger, hint="give --source SPEC"), trigger


def _pipeline_plc(pipeline) -> dict | None:
    from workbench.runtime.plc import pipeline_plc

    return pipeline_plc(pipeline)


def _add_outputs(args, trigger, outputs: list, pipeline=None) -> None:
    """Append the --plc / --tcp outputs to ``outputs`` (started; the caller closes them)."""
    cfg = None
    if args.plc:
        from workbench.runtime.plc import load_plc_config

        cfg = load_plc_config(args.plc)
    elif pipeline is not None:
        cfg = _pipeline_plc(pipeline)  # saved with the pipeline by the GUI's PLC I/O panel
    if cfg:
        from workbench.runtime.plc import ModbusPlc

        if args.trigger == "plc" and not {"coil", "register"} & set(cfg.get("trigger") or {}):
            raise WorkbenchError(f"{args.plc}: --trigger plc needs \"trigger\": {{\"coil\": N}} or {{\"register\": N}}")
        outputs.append(ModbusPlc(cfg, on_trigger=trigger.fire if trigger else None).start())
    if args.tcp:
        from workbench.runtime.plc import TcpTextOutput

        host, sep, port = args.tcp.rpartition(":")
        if not sep or not port.isdigit():
            raise WorkbenchError(f"--tcp {args.tcp!r}: expected HOST:PORT")
        fmt = args.format.encode().decode("unicode_escape")
        outputs.append(TcpTextOutput(host, int(port), fmt))


def cmd_operator(args) -> int:
    from workbench.runtime.sources import SourceConfigError, SourceError

    try:
        from workbench.gui.operator_app import check_display, run_operator
    except ImportError as exc:
        raise WorkbenchError(f"the operator screen cannot start: {exc} (run the setup script)") from None
    check_display()
    from workbench.runtime.credentials import require_engineer_password

    require_engineer_password()  # one clear line, before anything opens
    pipeline = _load(args.pipeline)
    _apply_sets(pipeline, args.set)
    name = Path(args.pipeline).stem
    source, trigger = _stream_source(args, pipeline)
    if trigger is None and _still_images(args, source):
        # the pipeline's own still image(s) in production: one inspection per trigger (the screen's
        # Trigger button, a PLC trigger coil), never free-running through the same image
        from workbench.runtime.sources import Trigger, TriggerMode

        trigger = source.trigger = Trigger(TriggerMode.SOFTWARE)
    try:  # a wrong folder or file is an error now; a camera that is not there yet is retried on screen
        source.open()
    except SourceConfigError:
        raise
    except SourceError:
        if not source.live:
            raise
    finally:
        source.close()
    out = Path(args.output) if args.output else Path.cwd() / "results" / name
    outputs: list = []
    db, archive = _open_db(args, default_db=True)
    try:
        _add_outputs(args, trigger, outputs, pipeline)
        plc = next((o for o in outputs if hasattr(o, "reset_counters")), None)
        return run_operator(pipeline, source, pipeline_name=name, db=db, archive=archive, plc=plc,
                            outputs=[o for o in outputs if o is not plc], output_dir=out,
                            source_node=args.source_node, windowed=args.windowed, screenshot=args.screenshot,
                            frames=args.frames)
    finally:
        for o in outputs:
            o.close()
        if db is not None:
            db.close()


def _still_images(args, source) -> bool:
    """The source is the pipeline's own image files (no --source, --rate or --trigger given)."""
    from workbench.runtime.sources import FolderSource

    return not args.source and args.rate is None and isinstance(source, FolderSource) and source.trigger is None


def _sigterm_as_interrupt() -> list[bool]:
    """SIGTERM stops the stream the way Ctrl+C does; the returned list becomes [True] when it was SIGTERM."""
    import signal
    import threading

    seen: list[bool] = []
    if hasattr(signal, "SIGTERM") and threading.current_thread() is threading.main_thread():
        def handler(_sig, _frame):
            seen.append(True)
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, handler)
    return seen


def _status_line(runner) -> str:
    s = runner.stats.snapshot()
    lat = s["latency_ms"]
    state = runner.state if runner.state == "running" else f"{runner.state}: {runner.state_message}"
    line = (f"[{state}] {s['fps']:.1f} fps  latency {lat['mean']:.1f} ms (p95 {lat['p95']:.1f})  "
            f"total {s['processed']}  OK {s['ok']}  NG {s['ng']}  errors {s['errors']}  dropped {s['dropped']}")
    line += "".join(f"  {o.status()}" for o in runner.outputs if hasattr(o, "status"))
    alarm = getattr(runner.recorder, "alarm", "")
    return line + (f"  ALARM: {alarm}" if alarm else "")


def cmd_replay(args) -> int:
    from tqdm import tqdm

    from workbench.core.fsnames import display
    from workbench.core.spec import CancelToken
    from workbench.runtime.replay import OUTCOMES, UNCHANGED, Replay
    from workbench.runtime.results import ResultsDB, parse_time
    from workbench.runtime.safe_files import check_writable

    pipeline = _load(args.pipeline)
    _apply_sets(pipeline, args.set)
    if args.limit is not None and args.limit < 1:
        raise WorkbenchError("--limit must be 1 or more")
    since = parse_time(args.since) if args.since else None
    until = parse_time(args.until) if args.until else None
    with ResultsDB(args.db, readonly=True) as db:
        records = db.query(since=since, until=until, limit=args.limit)
    if not records:
        raise WorkbenchError(f"no inspections in {args.db}" + (" in that time range" if since or until else ""))
    out = Path(args.output) if args.output else Path.cwd() / "replay" / Path(args.pipeline).stem
    check_writable(out)  # a read-only or full output folder: one line before any work
    if args.cluster:
        from workbench.runtime.cluster import ClusterReplay

        replay = ClusterReplay(pipeline, out, args.cluster, args.source, db_path=args.db, chunk=args.chunk)
    else:
        from workbench.runtime.workers import batch_workers

        replay = Replay(pipeline, out, args.source, workers=batch_workers(args.workers, len(records)),
                        worker_kind=args.worker_kind)
    cancel = CancelToken()
    bar = tqdm(total=len(records), unit="img", file=sys.stderr, disable=len(records) < 2 or None,
               dynamic_ncols=True, leave=False)
    tqdm.write(f"{'input':32} {'time':23}  recorded -> new  outcome", file=sys.stdout)

    def on_item(it) -> None:
        bar.update(1)
        if args.changes_only and it.outcome == UNCHANGED:
            return
        r = it.record
        name = display(Path(r.input).name)[:32]
        line = f"{name:32} {r.time[:23]:23}  {r.verdict or '-':>8} -> {it.new_verdict or '-':3}  {it.outcome}"
        if it.new_reasons and it.outcome != UNCHANGED:
            line += "\n  " + "; ".join(it.new_reasons)
        for err in it.errors:
            line += f"\n  error: {err}"
        tqdm.write(line, file=sys.stdout)

    interrupted = False
    try:
        replay.run(records, cancel, on_item)
    except KeyboardInterrupt:
        cancel.cancel()
        interrupted = True
    finally:
        bar.close()
        csv_path = replay.write_csv(out / "replay.csv")
    if getattr(replay, "resumed", 0):
        print(f"resumed: {replay.resumed} of {len(records)} were already replayed in {out / 'replay.db'}")
    c = replay.counts()
    print(f"{len(replay.items)} inspection{'s' if len(replay.items) != 1 else ''}: "
          + ", ".join(f"{c[k]} {k}" for k in OUTCOMES) + f" -> {csv_path}")
    if interrupted:
        print("cancelled: the comparisons above were written", file=sys.stderr)
        return EXIT_CANCELLED
    return EXIT_OK


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _cmd_model(args) -> int:
    from workbench.model_cli import cmd_model

    return cmd_model(args)


def cmd_train(args) -> int:
    from workbench.training.cli import run

    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
