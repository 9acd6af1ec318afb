#!/usr/bin/env python3
"""Generates src/db/migrations/0002_dict_seed.sql from shared/reference/CODES.md.

The seed rows of the national-standard code tables (dict_item) are copied from the tables of
CODES.md, so every code and label in the database can be traced to the line it came from.
The SQL file is committed (the build embeds it); run this script again when CODES.md changes
and review the diff. Once 0002 has shipped, changes go into a new migration instead.

Usage:
  scripts/gen-dict-seed.py [--codes PATH] [--out PATH]   write the SQL
  scripts/gen-dict-seed.py --check                      exit 1 if the SQL is out of date
"""
import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CODES = os.path.join(os.path.dirname(ROOT), "shared", "reference", "CODES.md")
DEFAULT_OUT = os.path.join(ROOT, "src", "db", "migrations", "0002_dict_seed.sql")


def section(lines, heading_prefix):
    """The lines after the heading that starts with heading_prefix, up to the next heading of
    the same or a higher level."""
    for i, line in enumerate(lines):
        if line.startswith(heading_prefix):
            level = len(line) - len(line.lstrip("#"))
            out = []
            for nxt in lines[i + 1:]:
                m = re.match(r"^(#+) ", nxt)
                if m and len(m.group(1)) <= level:
                    break
                out.append(nxt)
            return out
    sys.exit(f"gen-dict-seed: heading {heading_prefix!r} not found in CODES.md")


def tables(lines):
    """Every markdown table in lines, as a list of rows (lists of cell texts), header row
    and separator row dropped."""
    result, cur = [], None
    for line in lines:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cur is None:
                cur = {"header": cells, "rows": []}
            elif all(re.fullmatch(r":?-+:?", c) for c in cells):
                continue
            else:
                cur["rows"].append(cells)
        elif cur is not None:
            result.append(cur)
            cur = None
    if cur is not None:
        result.append(cur)
    return result


def expect(name, rows, n):
    if len(rows) != n:
        sys.exit(f"gen-dict-seed: {name}: expected {n} rows in CODES.md, found {len(rows)}")


def build(codes_path):
    with open(codes_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    dicts = []  # (dict, standard, [(code, label, short_label, parent_code)])

    # GB/T 2261.1-2003: label = the standard's name, short = the tourze label (男/女).
    t = tables(section(lines, "## 2. GB/T 2261.1"))[0]
    expect("gender", t["rows"], 4)
    dicts.append(("gender", "GB/T 2261.1-2003",
                  [(r[0], r[1], r[2], None) for r in t["rows"]]))

    # GB 3304-1991: the 56 nationalities, then the codes beyond 56 that the 中组部 cadre
    # system uses (91/92/98/99; the first listing of each code in the second table).
    ts = tables(section(lines, "## 1. GB 3304"))
    expect("ethnicity", ts[0]["rows"], 56)
    items = [(r[0], r[1], None, None) for r in ts[0]["rows"]]
    extra, seen = [], set()
    for r in ts[1]["rows"]:
        if r[0] in ("91", "92", "98", "99") and r[0] not in seen:
            seen.add(r[0])
            extra.append((r[0], r[1].split(" / ")[0].strip(), None, None))
    expect("ethnicity extension", extra, 4)
    dicts.append(("ethnicity", "GB 3304-1991", items))
    dicts.append(("ethnicity", "GB 3304-1991 中组部扩展码", sorted(extra)))

    # GB/T 4658-2006: categories are the codes ending in 0 (except 90 其他).
    t = tables(section(lines, "## 3. GB/T 4658"))[0]
    expect("education", t["rows"], 40)
    codes = {r[0] for r in t["rows"]}
    items = []
    for code, label in ((r[0], r[1]) for r in t["rows"]):
        parent = code[0] + "0"
        items.append((code, label, None, parent if parent != code and parent in codes else None))
    dicts.append(("education", "GB/T 4658-2006", items))

    # GB/T 6864-2003: 1/2/3/4 are the categories of the 3-digit codes.
    t = tables(section(lines, "## 4. GB/T 6864"))[0]
    expect("degree", t["rows"], 56)
    codes = {r[0] for r in t["rows"]}
    items = []
    for code, label in ((r[0], r[1]) for r in t["rows"]):
        parent = code[0] if len(code) == 3 and code[0] in codes else None
        items.append((code, label, None, parent))
    dicts.append(("degree", "GB/T 6864-2003", items))

    # GB/T 4762-1984: full name and the cadre system's short name.
    t = tables(section(lines, "## 5. GB/T 4762"))[0]
    expect("political_status", t["rows"], 13)
    dicts.append(("political_status", "GB/T 4762-1984",
                  [(r[0], r[1], r[2], None) for r in t["rows"]]))

    # ZB62 党组织类别: X marks a group; 111's group is 11X if listed, else 1XX.
    t = tables(section(lines, "### 10a."))[0]
    expect("org_category", t["rows"], 47)
    codes = {r[0] for r in t["rows"]}
    items = []
    for code, label in ((r[0], r[1]) for r in t["rows"]):
        parent = None
        if not code.endswith("XX"):
            for cand in (code[:2] + "X", code[:1] + "XX"):
                if cand != code and cand in codes:
                    parent = cand
                    break
        items.append((code, label, None, parent))
    dicts.append(("org_category", "ZB62", items))

    # GB/T 2260-2007 province-level divisions.
    t = tables(section(lines, "## 6. GB/T 2260"))[0]
    expect("province", t["rows"], 34)
    dicts.append(("province", "GB/T 2260-2007", [(r[0], r[1], None, None) for r in t["rows"]]))
    return dicts


def q(s):
    return "NULL" if s is None else "'" + s.replace("'", "''") + "'"


def render(dicts):
    out = [
        "-- 0002_dict_seed.sql — the built-in rows of the national-standard code tables.",
        "-- GENERATED by scripts/gen-dict-seed.py from shared/reference/CODES.md: do not edit;",
        "-- change CODES.md (or the script) and run the script again.",
        "-- Where CODES.md flags a conflict (⚠) the table as printed there is used: e.g. degree",
        "-- 345 临床学硕士专业学位; ethnicity beyond 56 follows the 中组部 cadre-system codes",
        "-- 91/92/98/99 (not the ID-card 97/98).",
        "",
    ]
    sort_of = {}
    for name, standard, items in dicts:
        out.append(f"-- {name} ({standard}): {len(items)} codes")
        out.append("INSERT INTO dict_item (dict, code, label, short_label, parent_code, sort, "
                   "standard) VALUES")
        rows = []
        for code, label, short, parent in items:
            sort_of[name] = sort_of.get(name, 0) + 10
            rows.append(f"    ({q(name)}, {q(code)}, {q(label)}, {q(short)}, "
                        f"{q(parent)}, {sort_of[name]}, {q(standard)})")
        out.append(",\n".join(rows) + ";")
        out.append("")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--codes", default=DEFAULT_CODES, help="path of CODES.md")
    ap.add_argument("--out", default=DEFAULT_OUT, help="SQL file to write")
    ap.add_argument("--check", action="store_true", help="only compare with --out")
    args = ap.parse_args()
    sql = render(build(args.codes))
    if args.check:
        try:
            with open(args.out, encoding="utf-8") as f:
                same = f.read() == sql
        except FileNotFoundError:
            same = False
        if not same:
            sys.exit(f"gen-dict-seed: {args.out} is out of date; run scripts/gen-dict-seed.py")
        print("gen-dict-seed: up to date")
        return
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(sql)
    print(f"gen-dict-seed: wrote {args.out}")


if __name__ == "__main__":
    main()
