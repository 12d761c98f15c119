"""The exit codes of every newsreader command: the CLI's subcommands and the reader's launch."""

EXIT_OK = 0
EXIT_FAILED = 1  # the command ran and failed (a message on stderr says why)
EXIT_USAGE = 2  # bad arguments or configuration, as argparse's own errors
EXIT_INTERRUPTED = 130  # ctrl+c (128 + SIGINT), as shells report it
