"""The CLI that the tests run in a subprocess is the code of the checkout the tests sit in.

Tests that call `arrears` in a subprocess run `sys.executable -m arrears.cli` or the script next to
`sys.executable`; both must import `arrears` from this checkout's `src/`, or a test would judge
another checkout's code and pass whatever this one does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import arrears

SRC = Path(__file__).resolve().parents[2] / "src"
PRINT_PACKAGE = "import arrears; print(arrears.__file__)"
DOORS = {
    "module": [sys.executable, "-m", "arrears.cli"],
    "script": [str(Path(sys.executable).parent / "arrears")],
}


def package_seen_by(command: list[str], tmp_path: Path) -> Path:
    done = subprocess.run(
        [*command, "shell", "--no-startup", "--command", PRINT_PACKAGE],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the checkout: the import must not depend on the working directory
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/unused.sqlite3"},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip().splitlines()[-1]).resolve()  # after the shell's own chatter


@pytest.mark.parametrize("door", DOORS)
def test_the_cli_in_a_subprocess_imports_this_checkouts_code(door: str, tmp_path: Path) -> None:
    package = package_seen_by(DOORS[door], tmp_path)

    assert package.is_relative_to(SRC), f"{door} runs {package}, not this checkout's {SRC}"
    assert package == Path(arrears.__file__).resolve()
