"""Every finding netparse's rules give on a fixed set of inputs, as JSON: run by
tests/test_facts_streaming.py under two versions of netparse (the one on ``PYTHONPATH``), so
the findings of a rewrite can be compared with those of the version before it, field by field.

    PYTHONPATH=ROOT python tests/findings_dump.py OUT.json

The inputs: every listing and log under samples/, every rule case of tests/rules/cases (with
its settings), and generated listings (benchmarks/generate.py) in three layouts, as generated,
with their listeners moved after the connections, with no listener, and with a sysctl port
range after the rows, each under the default settings and under low thresholds that make every
rule fire. Only public API that both versions have is used (parse, parse_file, parse_log_file,
analyze, analyze_series).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "rules"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import netstat_antp, ss_tanp, windows_ano  # noqa: E402
from socket_listing import render  # noqa: E402

from netparse.api import parse, parse_file  # noqa: E402
from netparse.logs.reader import parse_log_file  # noqa: E402
from netparse.rules import analyze  # noqa: E402
from netparse.rules.engine import analyze_series  # noqa: E402

#: thresholds low enough that every listing rule fires on a generated listing
LOW = {
    "NP001": {"warning": 3, "critical": 40},
    "NP002": {"threshold": 20},
    "NP003": {"warning_ratio": 0.0002, "critical_ratio": 0.0004},
    "NP004": {"warning": 2},
    "NP005": {"warning": 2},
    "NP006": {"per_peer": 2, "total": 4},
    "NP007": {"per_peer": 3, "total": 6},
    "NP008": {"per_peer": 2, "total": 4},
    "NP009": {"per_peer": 2, "total": 4},
    "NP010": {"waiting_without_backlog": 1},
    "NP011": {"min_bytes": 1000, "min_sockets": 1},
    "NP012": {"min_bytes": 1000, "min_sockets": 2},
    "NP014": {"min_connections": 2, "share": 0.01},
    "NP023": {"min_queue": 1},
}


def dump(findings) -> list[dict]:
    return [f.model_dump(mode="json") for f in findings]


def samples() -> dict[str, list]:
    out: dict[str, list] = {}
    for path in sorted((ROOT / "samples").rglob("*")):
        if not path.is_file() or path.suffix in (".note", ".py", ".md"):
            continue
        name = str(path.relative_to(ROOT))
        try:
            out[name] = dump(analyze(parse_file(path)))
        except Exception as exc:  # noqa: BLE001 - an input either version refuses is recorded as such
            out[name] = [f"error: {type(exc).__name__}"]
        try:
            snapshots = parse_log_file(str(path))
        except Exception as exc:  # noqa: BLE001
            out[name + " [log]"] = [f"error: {type(exc).__name__}"]
            continue
        if len(snapshots) > 1:
            out[name + " [log]"] = dump(analyze_series(snapshots))
    return out


def cases() -> dict[str, list]:
    import yaml

    out: dict[str, list] = {}
    for path in sorted((HERE / "rules" / "cases").glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            if "snapshots" in case or "log" in case:
                continue  # logs: the samples' logs cover them
            text = case["text"] if "text" in case else render(case["format"], case["rows"])
            text += "".join(f"{line}\n" for line in case.get("sysctl", []))
            key = f"{path.name}:{case['id']}"
            out[key] = dump(analyze(parse(text), case.get("config")))
            out[key + " [low]"] = dump(analyze(parse(text), LOW))
    return out


def _late_listeners(text: str, header_lines: int) -> str:
    lines = text.splitlines(keepends=True)
    head, rows = lines[:header_lines], lines[header_lines:]
    listen = [r for r in rows if "LISTEN" in r]
    return "".join(head + [r for r in rows if "LISTEN" not in r] + listen)


def _no_listeners(text: str, header_lines: int) -> str:
    lines = text.splitlines(keepends=True)
    return "".join(lines[:header_lines] + [r for r in lines[header_lines:] if "LISTEN" not in r])


def generated(rows: int) -> dict[str, list]:
    out: dict[str, list] = {}
    listings = {
        "netstat": (netstat_antp(rows), 2),
        "ss": (ss_tanp(rows), 1),
        "windows": (windows_ano(rows), 4),
    }
    for name, (text, head) in listings.items():
        variants = {
            "as generated": text,
            "listeners last": _late_listeners(text, head),
            "no listener": _no_listeners(text, head),
            "sysctl range after": text + "net.ipv4.ip_local_port_range = 40000\t50000\n",
        }
        for variant, body in variants.items():
            snapshot = parse(body)
            out[f"generated {name} {rows}, {variant}"] = dump(analyze(snapshot))
            out[f"generated {name} {rows}, {variant} [low]"] = dump(analyze(snapshot, LOW))
    return out


def main() -> None:
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    result = {**samples(), **cases(), **generated(rows)}
    Path(sys.argv[1]).write_text(json.dumps(result, indent=1, sort_keys=True), encoding="utf-8")


if __name__ == "__main__":
    main()
