#!/usr/bin/env python3
"""Static checks behind claims of docs/security.md that a behaviour test cannot show:
  1. SQL only through prepared statements: every SQLite call in data/ takes SQL text that is a
     string literal; the few built by concatenation are listed below, each reviewed (only program
     constants go into the text, every value is bound). A new one fails this check until it is
     reviewed and added here.
  2. data/ owns all SQL (issue 15): no file of api/ names SQLite (SQLite::, SQLiteCpp or sqlite3.h
     includes) or holds SQL in a string literal (SELECT ... FROM, INSERT INTO, UPDATE ... SET,
     DELETE FROM, CREATE TABLE, PRAGMA; SQL in this tree is written in upper case).
  3. Key hashes are compared in constant time: api/http/auth.cpp compares with CRYPTO_memcmp, and no
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
    ("data/store/store.cpp", '"PRAGMA journal_size_limit = " + std::to_string(options.journal_size_limit)'):
        "an integer of the program's options (serve --wal-restart-mb, range-checked), written by std::to_string",
    ("data/store/store.cpp", '"SELECT count(*) FROM \\"" + name + "\\""'):
        "table names read from sqlite_master of the program's own schema",
    ("data/store/store.cpp", 'std::string(market_range_sql) + " GROUP BY m.market ORDER BY m.market"'): "literals only",
    ("data/store/store.cpp", 'std::string(market_range_sql) + " WHERE m.market = ? GROUP BY m.market"'):
        "literals only; the market is bound",
    ("data/store/store.cpp", 'std::string("SELECT h.region, r.name_zh, min(h.year), max(h.year), count(*) FROM ") + table + '
                       '" h JOIN regions r ON r.code = h.region GROUP BY h.region ORDER BY h.region"'):
        "table is one of two literals (\"fire_history\", \"pest_history\") in the same file",
    ("data/repositories/quotes.cpp", "sql"): "GET /v1/quotes: literal conditions joined in a fixed order; every "
                                          "filter value, the cursor and the limit are bound",
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
# api/ holds no SQL and does not know SQLite: data/ does (data/repositories/, data/store/store.hpp).
sql_text = re.compile(r"\bSELECT\b.*\bFROM\b|\bINSERT\s+(?:OR\s+\w+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b|"
                      r"\bDELETE\s+FROM\b|\bCREATE\s+(?:TEMP\s+|UNIQUE\s+)?(?:TABLE|INDEX|TRIGGER|VIEW)\b|\bPRAGMA\s+\w+",
                      re.S)
raw_literal = re.compile(r'R"([^()\\\s]{0,16})\((.*?)\)\1"', re.S)
plain_literal = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def string_literals(text):
    """(offset, text) of each string literal of C++ source, adjacent literals joined as the
    compiler joins them; comments, character literals and digit separators (10'000) skipped."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif text[i] == "'":
            if i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_"):
                i += 1  # a digit separator
                continue
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            i = j + 1
        elif text[i] == '"' or (text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"))):
            start, body = i, []
            while True:
                m = raw_literal.match(text, i) if text[i] == "R" else plain_literal.match(text, i)
                if not m:
                    i += 1
                    break
                body.append(m.group(2) if text[i] == "R" else m.group(1))
                i = m.end()
                k = i
                while k < n and text[k].isspace():
                    k += 1
                if k < n and (text[k] == '"' or text.startswith('R"', k)):
                    i = k
                    continue
                break
            out.append((start, "".join(body)))
        else:
            i += 1
    return out


api_files = sorted(p for p in (root / "api").rglob("*") if p.suffix in (".cpp", ".hpp", ".h"))
for path in api_files:
    rel = str(path.relative_to(root))
    text = path.read_text(encoding="utf-8")
    for n, line in enumerate(text.splitlines(), 1):
        if "SQLite::" in line or re.search(r"#\s*include\s*[<\"](?:SQLiteCpp/|sqlite3\.h)", line):
            problems.append("%s:%d: api/ uses SQLite directly (data/ owns it; add a repository method): %s"
                            % (rel, n, line.strip()))
    for start, body in string_literals(text):
        if sql_text.search(body):
            problems.append("%s:%d: SQL text in api/ (data/ owns all SQL; add a repository method): %s"
                            % (rel, text.count("\n", 0, start) + 1, " ".join(body.split())[:100]))

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
print("security static checks: %d SQL calls with built text, all reviewed; no SQL in %d api/ files; "
      "hashes compared with CRYPTO_memcmp" % (len(seen), len(api_files)))
