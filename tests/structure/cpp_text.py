"""C++ source text with its comments blanked, for the checks in tests/structure (function sizes,
peril literals): one tokenizer, so that both read comments, string, char and raw string literals
alike."""
import re


def digit_separator(text, i):
    """Whether the ' at text[i] separates digits (100'000, 0xFF'FF: C++14) rather than opens a char
    literal: the run of letters and digits before it starts with a digit."""
    j = i
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] in "_'"):
        j -= 1
    return j < i and text[j].isdigit()


def blank_comments(text, strings="keep"):
    """Comments replaced by spaces (newlines kept). String, char and raw string literals are kept as
    they are (strings="keep": what a literal check searches) or blanked too (strings="blank": what
    a brace count must not see)."""
    if strings not in ("keep", "blank"):
        raise ValueError(f"strings must be 'keep' or 'blank', got {strings!r}")

    def literal(piece):
        return piece if strings == "keep" else re.sub(r"[^\n]", " ", piece)

    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append(literal(text[i:j])); i = j
        elif c == "'" and digit_separator(text, i):
            out.append(c); i += 1
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(literal(text[i:j + 1])); i = j + 1
        else:
            out.append(c); i += 1
    return "".join(out)
