"""Run the ``modelatlas`` command in-process, as the tests of every command group do."""

from __future__ import annotations

import pytest

from modelatlas.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``modelatlas ARGV``."""
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err
