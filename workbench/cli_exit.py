"""The exit codes of the `workbench` command line, in one place (cli.py and its command modules)."""

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR, EXIT_INTERNAL, EXIT_CANCELLED = 0, 1, 2, 3, 130
EXIT_DATA_LOST = 4  # the run ended, but results or verdicts were lost (not recorded, not delivered)
