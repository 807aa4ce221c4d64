"""Entry point of the frozen app: `VisionWorkbench [command ...]`.

`self-test` goes to workbench.selftest (until the CLI has the subcommand itself); everything
else goes to the `workbench` command line, so the frozen app accepts the same commands.
"""

import sys


def _main() -> int:
    argv = sys.argv[1:]
    if argv and argv[0] == "self-test":
        from workbench.selftest import main

        return main(argv[1:])
    from workbench.cli import main

    return main(argv)


if __name__ == "__main__":
    import multiprocessing

    multiprocessing.freeze_support()
    sys.exit(_main())
