#!/usr/bin/env python3
"""Copy the Linux net-tools netstat / iproute2 ss samples of the shared corpus into
samples/linux/, dropping each file's first `# source: ...` line (it goes into the
.note together with the file's INDEX.tsv row and the CATALOG.md sections 1 and 3
passages that mention the file). All other bytes are kept exactly.

    python3 samples/capture/copy_corpus.py [--corpus /work/shared/corpus/formats] [--out samples/linux]

Naming: public (non-local) samples keep their corpus name; the corpus's own local
captures (made on another machine, kernel 6.18) get the prefix `corpus-`.
"""
from __future__ import annotations

import argparse
import fnmatch
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))

# Non-local public samples (names as in the corpus), copied without prefix.
PUBLIC_PATTERNS = [
    "linux_nettools_*excerpt*",
    "linux_nettools_centos6_*",
    "linux_old-nettools_*",
    "linux_nettools_all-tcp-states_packetdrill-article.txt",
    "linux_iproute2_ss-naoep_*writeup.txt",
    # INDEX.tsv calls this one a local capture (run as user nobody on the corpus
    # machine); it is listed here because the task brief listed it with the public ones.
    "linux_nettools_netstat-antp_non-root_stderr-note.txt",
]
LOCAL_PATTERNS = ["linux_iproute2_ss-*", "linux_nettools_*"]

EXTRA_NOTES = {
    "linux_nettools_all-tcp-states_packetdrill-article.txt":
        "headings: lines 1, 3, 6, 9, 12, 15, 18, 21, 24 of this copy (`## SYN-SENT`, `## SYN-RCVD`,\n"
        "`## ESTABLISHED`, `## FIN-WAIT-1`, `## FIN-WAIT-2`, `## CLOSE-WAIT`, `## TIME-WAIT`,\n"
        "`## LAST-ACK`, `## CLOSING`) are the article's Markdown headings, not netstat output;\n"
        "every other line is a netstat row (no title or header lines; addresses 192.168.x.x\n"
        "and 192.0.2.1 as printed by the packetdrill setups). Some rows end with a trailing\n"
        "space after '-', others are padded to the PID/Program column: kept as found.",
    "linux_nettools_netstat-antp_non-root_stderr-note.txt":
        "naming: INDEX.tsv classes this as a local capture from the corpus machine (not a\n"
        "public paste); it keeps its corpus name because the task brief listed it with the\n"
        "public samples. stdout and stderr are merged in this file.",
}


def catalog_sections(text: str) -> dict[str, str]:
    parts = re.split(r"^(## \d+\..*)$", text, flags=re.M)
    out = {}
    for i in range(1, len(parts) - 1, 2):
        num = parts[i].split()[1].rstrip(".")
        out[num] = parts[i] + parts[i + 1]
    return out


def blocks(section: str):
    """Split a catalog section into bullets / paragraphs / table rows."""
    cur = []
    for ln in section.splitlines():
        starts = (ln.startswith("* ") or ln.startswith("  - ") or ln.startswith("|")
                  or ln.startswith("#") or ln.startswith("Samples:") or not ln.strip())
        if starts and cur:
            yield "\n".join(cur)
            cur = []
        if ln.strip():
            cur.append(ln)
    if cur:
        yield "\n".join(cur)


def short_names(fname: str) -> list[str]:
    stem = fname[:-4] if fname.endswith(".txt") else fname
    names = [fname, stem]
    m = re.match(r"linux_nettools_netstat(-\w+)$", stem)
    if m:
        names += [f"`{m.group(1)}.txt`", f"`{m.group(1)}`"]
    m = re.match(r"linux_iproute2_(ss-[\w-]+)$", stem)
    if m:
        names += [f"`{m.group(1)}`", f"`{m.group(1)}.txt`"]
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="/work/shared/corpus/formats")
    ap.add_argument("--out", default=os.path.normpath(os.path.join(HERE, "..", "linux")))
    a = ap.parse_args()
    sdir = os.path.join(a.corpus, "samples")
    index = {}
    with open(os.path.join(a.corpus, "INDEX.tsv"), encoding="utf-8") as f:
        header = f.readline().rstrip("\n")
        for ln in f:
            cols = ln.rstrip("\n").split("\t")
            if len(cols) >= 2:
                index[cols[1]] = ln.rstrip("\n")
    cat = open(os.path.join(a.corpus, "CATALOG.md"), encoding="utf-8").read()
    secs = catalog_sections(cat)
    cat_blocks = [("1", b) for b in blocks(secs.get("1", ""))] + [("3", b) for b in blocks(secs.get("3", ""))]
    evidence = re.search(r"^\* \*\*local capture\*\*:.*?(?=^\* \*\*jc)", cat, re.S | re.M)

    os.makedirs(a.out, exist_ok=True)
    done = []
    for fname in sorted(os.listdir(sdir)):
        public = any(fnmatch.fnmatch(fname, p) for p in PUBLIC_PATTERNS)
        local = not public and any(fnmatch.fnmatch(fname, p) for p in LOCAL_PATTERNS)
        if not (public or local):
            continue
        raw = open(os.path.join(sdir, fname), "rb").read()
        first, sep, rest = raw.partition(b"\n")
        assert first.startswith(b"# source:"), fname
        dest = fname if public else "corpus-" + fname
        with open(os.path.join(a.out, dest), "wb") as f:
            f.write(rest)
        note = [f"source: copied from /work/shared/corpus/formats/samples/{fname}",
                "removed first line (kept here verbatim; all other bytes unchanged):",
                "  " + first.decode("utf-8"),
                "", "INDEX.tsv row (" + header.replace("\t", " | ") + "):",
                "  " + index.get(fname, "(no INDEX row)").replace("\t", " | ")]
        if local:
            note += ["", "kind: local capture made on the corpus machine (not this capture run).",
                     "CATALOG.md evidence note for local captures:",
                     "  " + (evidence.group(0).strip().replace("\n", "\n  ") if evidence else "n/a")]
        if fname in EXTRA_NOTES:
            note += ["", EXTRA_NOTES[fname]]
        names = short_names(fname)
        hits = [(s, b) for s, b in cat_blocks if any(n in b for n in names)]
        if hits:
            note += ["", "CATALOG.md passages (sections 1 and 3) that cite this file:"]
            for s, b in hits:
                note.append(f"  [section {s}] " + b.replace("\n", "\n  "))
        else:
            note += ["", "CATALOG.md sections 1 and 3 do not cite this file by name."]
        with open(os.path.join(a.out, dest[:-4] + ".note" if dest.endswith(".txt") else dest + ".note"),
                  "w", encoding="utf-8") as f:
            f.write("\n".join(note) + "\n")
        done.append(dest)
    print("\n".join(done))


if __name__ == "__main__":
    main()
