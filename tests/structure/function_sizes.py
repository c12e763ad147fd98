#!/usr/bin/env python3
"""Sizes of source files and functions of data/, risk/, pricing/ and api/ (issue 15: no source file
over 700 lines, no function over 120 lines, at most five over 80; tests and generated code aside).

A function is a brace block opened at namespace or class scope by a line whose code before the
brace ends a parameter list (`)`, `) const`, `noexcept`, `override`, a trailing return type or a
constructor's initialiser list); its length counts the lines from its signature's first line to
its closing brace. Comments and string literals are blanked before braces are counted.

Usage: function_sizes.py ROOT [--list N]   exit 1 when a limit is broken
"""
import re
import sys
from pathlib import Path

from cpp_text import blank_comments

FOLDERS = ("data", "risk", "pricing", "api")
MAX_FILE, MAX_FUNCTION, SOFT_FUNCTION, MAX_SOFT = 700, 120, 80, 5


def blank(text):
    """Comments, string and char literals replaced by spaces (newlines kept)."""
    return blank_comments(text, strings="blank")


SCOPE = re.compile(r"\b(namespace|class|struct|union|enum)\b[^;(){}]*$")
FUNC_END = re.compile(r"\)\s*(const)?\s*(noexcept)?\s*(override|final)?\s*(->\s*[\w:<>,\s*&]+)?\s*$|\)\s*:\s*.*$|^\s*:\s*\w.*\)\s*$")


def functions(path):
    text = blank(path.read_text())
    lines = text.split("\n")
    stack = []  # (kind, start line)
    found = []
    pending = ""  # code since the last ; { or }
    pending_start = 0
    for ln, line in enumerate(lines, 1):
        for ch in line + "\n":
            if ch == "{":
                head = pending.strip()
                in_function = any(s[0] == "function" for s in stack)
                if in_function:
                    kind = "block"
                elif SCOPE.search(head):
                    kind = "scope"
                elif head.startswith("extern") or head == "":
                    kind = "scope" if not head or head.startswith("extern") else "block"
                elif FUNC_END.search(head) and not head.endswith("=") and "=" not in head.split("(")[0]:
                    kind = "function"
                else:
                    kind = "block"
                stack.append((kind, pending_start if kind == "function" else ln, head))
                pending, pending_start = "", ln
            elif ch == "}":
                if stack:
                    kind, start, head = stack.pop()
                    if kind == "function":
                        name = re.findall(r"([~\w:]+(?:<[^()]*>)?|operator\S+)\s*\(", head)
                        found.append((ln - start + 1, name[0] if name else head[:40], start))
                pending, pending_start = "", ln + 1
            elif ch == ";":
                pending, pending_start = "", ln + 1
            else:
                if not pending.strip() and not ch.isspace():
                    pending_start = ln
                pending += ch
    return len(path.read_text().splitlines()), found


def main():
    root = Path(sys.argv[1])
    show = int(sys.argv[sys.argv.index("--list") + 1]) if "--list" in sys.argv else 0
    problems, soft, everything = [], [], []
    for folder in FOLDERS:
        for p in sorted((root / folder).rglob("*")):
            if p.suffix not in (".cpp", ".hpp") or "generated" in p.parts:
                continue
            n, fs = functions(p)
            rel = p.relative_to(root)
            if n > MAX_FILE:
                problems.append(f"{rel}: {n} lines (at most {MAX_FILE})")
            for length, name, start in fs:
                everything.append((length, f"{rel}:{start} {name}"))
                if length > MAX_FUNCTION:
                    problems.append(f"{rel}:{start}: {name} is {length} lines (at most {MAX_FUNCTION})")
                elif length > SOFT_FUNCTION:
                    soft.append(f"{rel}:{start}: {name} is {length} lines")
    for length, where in sorted(everything, reverse=True)[:show]:
        print(f"{length:5d}  {where}")
    if len(soft) > MAX_SOFT:
        problems.append(f"{len(soft)} functions over {SOFT_FUNCTION} lines (at most {MAX_SOFT}):\n    " + "\n    ".join(soft))
    for p in problems:
        print("function_sizes: " + p)
    print(f"function_sizes: {len(everything)} functions; {len(soft)} over {SOFT_FUNCTION} lines; "
          f"{sum(1 for l, _ in everything if l > MAX_FUNCTION)} over {MAX_FUNCTION}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
