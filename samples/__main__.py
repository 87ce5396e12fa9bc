"""`python -m samples [generate] OUT_DIR ...` for runs without the main CLI.

Builds its own parser with the same `samples` command the main CLI registers, so the
options are the same; the words `samples` and `generate` may be left out.
"""

from __future__ import annotations

import argparse
import sys

from samples.cli import register


def main(argv: list[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] != ["samples"]:
        args_in.insert(0, "samples")
    if len(args_in) > 1 and args_in[1] not in ("generate", "-h", "--help"):
        args_in.insert(1, "generate")
    # prog "python -m" so usage reads "python -m samples generate ...".
    parser = argparse.ArgumentParser(prog="python -m")
    register(parser.add_subparsers(dest="command", metavar="COMMAND", required=True))
    args = parser.parse_args(args_in)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
