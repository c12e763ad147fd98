#!/usr/bin/env python3
"""Rewrites a plain-decimal batch CSV (issue 18) in the number format of before (std::to_chars
shortest: %f or %e, whichever is shorter, %f on a tie), optionally dropping its last N columns,
and prints the SHA-256 and size of the result (and writes it to OUT when given). When they equal
the golden file recorded before, every number of the new file is the same double as the old one.
Usage: old_number_format.py FILE [DROP_LAST_N [OUT]]"""
import hashlib, sys
from decimal import Decimal

def old(cell):
    try:
        v = float(cell)
    except ValueError:
        return cell
    if cell.strip() != cell or cell in ("nan", "inf", "-inf") or not cell:
        return cell
    if float(cell) == 0:
        return "0"
    r = repr(v)                      # shortest round-trip digits
    d = Decimal(r)
    sign, digits, exp = d.as_tuple()
    digits = "".join(map(str, digits)).rstrip("0") or "0"
    # exp relative to the stripped digits
    exp = d.as_tuple().exponent + (len(d.as_tuple().digits) - len(digits))
    s = "-" if sign else ""
    n = len(digits)
    # fixed
    if exp >= 0:
        fixed = digits + "0" * exp
    else:
        point = n + exp
        fixed = (digits[:point] + "." + digits[point:]) if point > 0 else "0." + "0" * (-point) + digits
    # scientific: d.ddd e+XX
    e = n - 1 + exp
    mant = digits[0] + ("." + digits[1:] if n > 1 else "")
    sci = mant + "e" + ("-" if e < 0 else "+") + f"{abs(e):02d}"
    return s + (fixed if len(fixed) <= len(sci) else sci)

def main():
    path = sys.argv[1]
    drop = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    out = []
    for i, line in enumerate(open(path).read().split("\n")):
        if line == "":
            out.append(line); continue
        cells = line.split(",")
        if drop:
            cells = cells[:-drop]
        out.append(",".join(cells if i == 0 else [old(c) for c in cells]))
    text = "\n".join(out)
    print(hashlib.sha256(text.encode()).hexdigest(), len(text.encode()))
    if len(sys.argv) > 3:
        open(sys.argv[3], "w").write(text)

main()
