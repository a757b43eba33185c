"""What the parts of `manage.py benchmark` share: the command's output and the figures that miss."""

from __future__ import annotations


class BenchmarkPart:
    def __init__(self, command):
        self.out = command.stdout
        self.style = command.style
        self.failures: list[str] = []

    def check(self, label: str, value: float, target: float, unit: str) -> None:
        """Print a figure beside its target (≤); a figure over it is marked and kept in `failures`."""
        ok = value <= target
        line = f"  {label:<62} {value:>9.1f} {unit}  (target ≤ {target:g} {unit})"
        self.out.write(line if ok else self.style.WARNING(line + "  MISSED"))
        if not ok:
            self.failures.append(f"{label}: {value:.1f} {unit} > {target:g} {unit}")
