"""The `newsreader` command: subcommands run headless in index.cli; none opens the reader."""

from __future__ import annotations

import sys

from index import cli


def main(argv: list[str] | None = None) -> int:
    args = cli.reader_args(sys.argv[1:] if argv is None else argv)
    if args is None:
        parser = cli.build_parser()
        args = parser.parse_args(argv)
        if args.command:
            return cli.run(args, parser)
    from reader.launch import launch

    return launch(args)


if __name__ == "__main__":
    sys.exit(main())
