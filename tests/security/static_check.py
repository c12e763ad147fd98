#!/usr/bin/env python3
"""Static checks behind claims of docs/security.md that a behaviour test cannot show:
  1. SQL only through prepared statements: every SQLite call in api/ and data/ takes SQL text that
     is a string literal; the few built by concatenation are listed below, each reviewed (only
     program constants go into the text, every value is bound). A new one fails this check until it
     is reviewed and added here.
  2. Key hashes are compared in constant time: api/http/auth.cpp compares with CRYPTO_memcmp, and no
     other memcmp, strcmp or == on a hash or token appears in api/.

    static_check.py SOURCE_DIR"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()

# (file, text of the call) -> why it is safe
REVIEWED = {
    ("data/store/schema.cpp", '"PRAGMA user_version = " + std::to_string(m.version)'):
        "a migration number compiled into the program",
    ("data/store/schema.cpp", "std::string(m.sql)"): "the migrations' SQL, compiled into the program",
    ("data/store/store.cpp", '"SELECT count(*) FROM \\"" + name + "\\""'):
        "table names read from sqlite_master of the program's own schema",
    ("data/store/store.cpp", 'std::string(market_range_sql) + " GROUP BY m.market ORDER BY m.market"'): "literals only",
    ("data/store/store.cpp", 'std::string(market_range_sql) + " WHERE m.market = ? GROUP BY m.market"'):
        "literals only; the market is bound",
    ("data/store/store.cpp", 'std::string("SELECT h.region, r.name_zh, min(h.year), max(h.year), count(*) FROM ") + table + '
                       '" h JOIN regions r ON r.code = h.region GROUP BY h.region ORDER BY h.region"'):
        "table is one of two literals (\"fire_history\", \"pest_history\") in the same file",
    ("data/import/import.cpp", "sql"): "built from the import spec's table and column names (constants of import.cpp); "
                                "every cell is bound",
}

call = re.compile(r"(?:SQLite::Statement\s+\w+\s*\(\s*[\w().>*-]+\s*,|\.exec\(|\.execAndGet\(|->exec\()\s*")
problems, seen = [], set()
for path in sorted(list((root / "api").rglob("*.cpp")) + list((root / "data").rglob("*.cpp"))):
    rel = str(path.relative_to(root))
    text = path.read_text(encoding="utf-8")
    for m in call.finditer(text):
        # The first argument: up to the matching ')' or the ',' at depth 0.
        i, depth, arg = m.end(), 0, []
        in_str = False
        while i < len(text):
            c = text[i]
            if in_str:
                arg.append(c)
                if c == "\\":
                    arg.append(text[i + 1])
                    i += 1
                elif c == '"':
                    in_str = False
            elif c == '"':
                in_str = True
                arg.append(c)
            elif c in "([{":
                depth += 1
                arg.append(c)
            elif c in ")]}":
                if depth == 0:
                    break
                depth -= 1
                arg.append(c)
            elif c == "," and depth == 0:
                break
            else:
                arg.append(c)
            i += 1
        a = " ".join("".join(arg).split())
        if not a:
            continue
        # A literal, or adjacent literals, possibly raw strings: fine.
        if re.fullmatch(r'(?:(?:R"(\w*)\(.*?\)\1"|"(?:[^"\\]|\\.)*")\s*)+', a, re.S):
            continue
        if re.fullmatch(r"\w+_sql", a):  # a named constant literal (checked below)
            continue
        key = (rel, a)
        seen.add(key)
        if key not in REVIEWED:
            line = text.count("\n", 0, m.start()) + 1
            problems.append("%s:%d: SQL text that is not a literal and not reviewed: %s" % (rel, line, a))
for key in REVIEWED:
    if key not in seen:
        problems.append("reviewed SQL no longer found (remove it from REVIEWED): %s: %s" % key)
# Named SQL constants must be literals.
for path in sorted(list((root / "api").rglob("*.cpp")) + list((root / "data").rglob("*.cpp"))):
    for m in re.finditer(r"constexpr\s+(?:const\s+char\s*\*|std::string_view)\s+(\w+_sql)\s*=\s*([^;]+);",
                         path.read_text(encoding="utf-8"), re.S):
        if not m.group(2).lstrip().startswith(('R"', '"')):
            problems.append("%s: %s is not a literal" % (path.relative_to(root), m.group(1)))

auth = (root / "api/http/auth.cpp").read_text(encoding="utf-8")
if auth.count("CRYPTO_memcmp(") < 2:
    problems.append("api/http/auth.cpp: the key hash and the cached token digest must be compared with CRYPTO_memcmp")
for path in sorted((root / "api").rglob("*.cpp")):
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        code = line.split("//")[0]
        if re.search(r"(?<!CRYPTO_)\bmemcmp\(|\bstrcmp\(", code):
            problems.append("%s:%d: a non-constant-time comparison: %s" % (path.relative_to(root), n, line.strip()))
        if re.search(r"\b(hash|digest|secret|token_sha256)\w*\s*==|==\s*\w*(hash|digest|secret)\b(?!\.size\(\))", code):
            problems.append("%s:%d: == on a hash or secret: %s" % (path.relative_to(root), n, line.strip()))

if problems:
    print("\n".join(problems))
    sys.exit(1)
print("security static checks: %d SQL calls with built text, all reviewed; hashes compared with CRYPTO_memcmp"
      % len(seen))
