"""The ``modelatlas`` command: wiring and the one place errors become messages and exit codes.

Exit codes: 0 success; 1 a problem with the data or the store (invalid catalog, no such model, no store);
2 a bad argument or option.
"""

from __future__ import annotations

import sys

import typer

from modelatlas.cli import (
    catalog_cmds,
    check_cmds,
    export_cmds,
    hardware_cmds,
    import_cmds,
    live_cmds,
    query_cmds,
    trend_cmds,
    web_cmds,
)
from modelatlas.cli._help import reflow_commands
from modelatlas.cli._output import stderr
from modelatlas.errors import BadArgument, ModelAtlasError

__all__ = ["app", "main"]

app = typer.Typer(
    name="modelatlas",
    help=(
        "Track large AI models (大模型趋势追踪): what was released, by whom, how big, how open, "
        "built on what.\n\n"
        "Start with `modelatlas build`, then `modelatlas overview`, `list`, `show`, `search`, `compare`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
catalog_cmds.register(app)
check_cmds.register(app)
query_cmds.register(app)
export_cmds.register(app)
import_cmds.register(app)
hardware_cmds.register(app)
trend_cmds.register(app)
live_cmds.register(app)
web_cmds.register(app)
reflow_commands(app)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; errors print as one ``Error: …`` line on stderr with exit code 1 (data) or 2 (usage)."""
    err = stderr()
    try:
        result = app(args=argv, standalone_mode=False, prog_name="modelatlas")
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("Aborted.")
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: unknown option, bad value, missing argument
        ctx = getattr(exc, "ctx", None)
        hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        message = " ".join(exc.format_message().split())  # one line, even for a list of choices
        err.print(f"Error: {message}{hint}", markup=False)
        sys.exit(exc.exit_code)
    except BadArgument as exc:
        err.print(f"Error: {exc}", markup=False)
        sys.exit(2)
    except ModelAtlasError as exc:
        err.print(f"Error: {exc}", markup=False)
        sys.exit(1)
    sys.exit(result if isinstance(result, int) else 0)
