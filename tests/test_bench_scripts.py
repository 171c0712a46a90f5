"""Every benchmark still starts: its imports resolve and it explains its options (a renamed module
would otherwise only show when someone runs the benchmark)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# bench/bare_bot.py is no benchmark of its own: bench/load.py starts it as the bare bot to compare with.
BENCHMARKS = sorted(path.name for path in (ROOT / "bench").glob("*.py") if path.name != "bare_bot.py")


@pytest.mark.parametrize("script", BENCHMARKS)
def test_benchmark_starts_and_explains_its_options(script: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--help"],
        cwd=tmp_path,  # from anywhere, not only from the repository root
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout
