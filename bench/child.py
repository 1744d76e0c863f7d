"""One measurement in a fresh interpreter: memory figures (peak RSS, growth) and timings are
then the run's own, not the sum of every run before it in the same process."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any


def run_child(module: str, *args: str) -> dict[str, Any]:
    """Run ``python -m module --one ARGS`` and return the JSON object its last line prints."""
    out = subprocess.run(
        [sys.executable, "-m", module, "--one", *args], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])
