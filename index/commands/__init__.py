"""Feature subcommands for the CLI: each module has `register(subparsers)` (see cli.FEATURES)."""
