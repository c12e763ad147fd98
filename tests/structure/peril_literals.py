#!/usr/bin/env python3
"""No peril name appears as a literal in api/ or pricing/ (issue 15, item 3): the peril registry
(risk/perils/registry.cpp) is the only list of perils, and the rest of the program reads it or a
peril's constants (risk/perils/<p>.hpp `<p>_peril_name`, risk/calibration/<p>_model.hpp
`<p>_family`). A quoted name in code ("fire", or a calibration family such as "fire_weather") is
a failure unless ALLOWED lists it with a reason; names inside comments, and inside longer strings
(a sentence of help text, "fire_history"), are fine.

Usage: peril_literals.py ROOT   exit 1 when a literal is found
"""
import re
import sys
from pathlib import Path

from cpp_text import blank_comments

# (path relative to ROOT, the literal): why it is not a peril name in code. Reviewed by hand.
ALLOWED = {}


def code_of(text):
    """Comments replaced by spaces; string literals kept (they are what is searched)."""
    return blank_comments(text, strings="keep")


def registry_names(root):
    names = set()
    for header in (root / "risk" / "perils").glob("*.hpp"):
        names.update(re.findall(r'\w+_peril_name\s*=\s*"([^"]+)"', header.read_text()))
    for header in (root / "risk" / "calibration").glob("*.hpp"):
        names.update(re.findall(r'\w+_family\s*=\s*"([^"]+)"', header.read_text()))
    return names


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    root = Path(sys.argv[1]).resolve()
    names = registry_names(root)
    if not {"fire", "pest"} <= names:
        print(f"peril_literals: found only {sorted(names)} in risk/perils and risk/calibration")
        return 1
    literal = re.compile(r'"(' + "|".join(re.escape(n) for n in sorted(names)) + r')"')
    found = []
    for folder in ("api", "pricing"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in (".cpp", ".hpp"):
                continue
            rel = str(path.relative_to(root))
            for number, line in enumerate(code_of(path.read_text()).splitlines(), 1):
                for m in literal.finditer(line):
                    if (rel, m.group(1)) not in ALLOWED:
                        found.append(f"{rel}:{number}: \"{m.group(1)}\": {line.strip()}")
    for f in found:
        print("peril_literals: " + f)
    print(f"peril_literals: {len(found)} peril name literal(s) in api/ and pricing/ (names: {', '.join(sorted(names))})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
