"""Import throughput and peak memory of each importer, against the bare parse of the same files.

For every archive (the real ones in ../shared/data, plus a Stack Exchange dump enlarged 20x
by this script) and every database (SQLite, PostgreSQL), it runs in a fresh process:

- **parse**: the bare read of the files with the library the importer uses (lxml iterparse,
  json.load, mailbox.mbox) and nothing else;
- **read**: the importer's own reader (`Source.units()`): parse + conversion to records
  (HTML to markdown, Slack markup, threading, quote stripping), no database;
- **import**: `run_import` into an empty, migrated database;
- **re-run**: the same import again (it must create nothing).

Each figure is wall time of that step alone; items are the objects written (people, spaces,
posts, comments, links, value reports); peak memory is the
maximum RSS of the step's process plus that of its read-ahead child (getrusage).
Prints a table and appends it to bench/RESULTS.md.

    .venv/bin/python bench/bench_import.py                  # everything (about 10 minutes)
    .venv/bin/python bench/bench_import.py --only se-quantumcomputing --db sqlite
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
PG_URL = "postgres://postgres@127.0.0.1:5432/waggle_bench_import"
ENLARGE = 20


def shared_data() -> Path:
    return Path(os.environ.get("WAGGLE_SHARED_DATA", ROOT.parent / "shared" / "data"))


def archives(tmp: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (importer kind, paths)."""
    data = shared_data()
    return {
        "se-quantumcomputing": ("stackexchange", [str(data / "se-quantumcomputing")]),
        "se-bicycles-meta": ("stackexchange", [str(data / "se-bicycles-meta")]),
        f"se-quantumcomputing-x{ENLARGE}": ("stackexchange", [str(tmp / f"se-x{ENLARGE}")]),
        "slack-r-contributors": ("slack", [str(data / "slack-r-contributors")]),
        "mailing-lists-mbox": ("mbox", [str(data / "mailing-lists-mbox")]),
        "enron-mbox-sent": ("mbox", [str(data / "enron-mbox-sent" / "_sent_mail"),
                                     str(data / "enron-mbox-sent" / "full-mailbox-allen-p")]),
    }


def enlarge_stackexchange(src: Path, dst: Path, times: int) -> None:
    """A dump `times` as large: every row repeated with ids shifted by a multiple of the
    largest id, so threads, accepted answers, comments and links stay consistent."""
    dst.mkdir(parents=True, exist_ok=True)
    id_attrs = {
        "Users.xml": ("Id",),
        "Posts.xml": ("Id", "ParentId", "AcceptedAnswerId", "OwnerUserId", "LastEditorUserId"),
        "Comments.xml": ("Id", "PostId", "UserId"),
        "PostLinks.xml": ("Id", "PostId", "RelatedPostId"),
    }
    for name, attrs in id_attrs.items():
        path = src / name
        if not path.exists():
            continue
        shift = 0
        for _, el in etree.iterparse(str(path), tag="row"):
            for a in attrs:
                if (v := el.get(a)) and v.lstrip("-").isdigit():
                    shift = max(shift, int(v))
            el.clear()
        shift += 1
        with open(dst / name, "wb") as out:
            out.write(b'<?xml version="1.0" encoding="utf-8"?>\n')
            root_tag = None
            for k in range(times):
                for _, el in etree.iterparse(str(path), tag="row"):
                    if root_tag is None:
                        root_tag = el.getparent().tag  # type: ignore[union-attr]
                        out.write(f"<{root_tag}>\n".encode())
                    row = etree.Element("row", dict(el.attrib))
                    for a in attrs:
                        v = row.get(a)
                        if v and v.isdigit():  # negative ids (Community) stay shared
                            row.set(a, str(int(v) + k * shift))
                    if k and name == "Posts.xml" and row.get("Title"):
                        row.set("Title", f"{row.get('Title')} ({k})")
                    out.write(etree.tostring(row) + b"\n")
                    el.clear()
            out.write(f"</{root_tag}>\n".encode())


# --- the steps, each run in a child process --------------------------------------------

def bare_parse(kind: str, paths: list[str]) -> dict[str, Any]:
    import mailbox

    count = 0
    if kind == "stackexchange":
        for name in ("Users.xml", "Posts.xml", "Comments.xml", "PostLinks.xml"):
            path = Path(paths[0]) / name
            if path.exists():
                for _, el in etree.iterparse(str(path), tag="row"):
                    count += 1
                    el.clear()
                    while el.getprevious() is not None:
                        del el.getparent()[0]  # type: ignore[union-attr]
    elif kind == "slack":
        for path in sorted(Path(paths[0]).rglob("*.json")):
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            count += len(data) if isinstance(data, list) else 1
    else:
        for root in paths:
            files = [Path(root)] if Path(root).is_file() else sorted(
                p for p in Path(root).rglob("*") if p.is_file()
            )
            for path in files:
                for message in mailbox.mbox(str(path)):
                    message.get_payload()
                    count += 1
    return {"rows": count}


def read_only(kind: str, paths: list[str]) -> dict[str, Any]:
    _django()
    from waggle.harvest.sources import open_source

    source = open_source(kind, paths)
    source.check()
    units = records = 0
    for unit in source.units():
        units += 1
        records += len(unit.records)
    return {"units": units, "records": records}


def do_import(kind: str, paths: list[str]) -> dict[str, Any]:
    _django()
    from waggle.harvest.runner import run_import
    from waggle.harvest.sources import open_source

    summary = run_import(open_source(kind, paths))
    return {"units": summary.units, "created": sum(summary.created.values()),
            "unchanged": sum(summary.unchanged.values()),
            "skipped": sum(summary.skipped.values())}


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waggle.config.settings")
    import django

    django.setup()


STEPS = {"parse": bare_parse, "read": read_only, "import": do_import}


def child(step: str, kind: str, paths: list[str]) -> None:
    import resource
    import time

    started = time.perf_counter()
    result = STEPS[step](kind, paths)
    result["seconds"] = time.perf_counter() - started
    # The importer reads ahead in a forked child: count its peak too (the sum is an upper
    # bound of what both held at once).
    result["peak_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                         + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    print("RESULT " + json.dumps(result))


def run_child(step: str, kind: str, paths: list[str], env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", step, kind, *paths],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    out, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"{step} {kind} {paths} failed:\n{err[-3000:]}")
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    result: dict[str, Any] = json.loads(line[len("RESULT "):])
    return result


def fresh_database(db: str, tmp: Path) -> dict[str, str]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="waggle.config.settings", PYTHONPATH=str(ROOT))
    if db == "sqlite":
        path = tmp / "bench-import.sqlite3"
        path.unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres",
                             autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS waggle_bench_import WITH (FORCE)")
            conn.execute("CREATE DATABASE waggle_bench_import")
        env["DATABASE_URL"] = PG_URL
    subprocess.run([str(ROOT / ".venv" / "bin" / "waggle"), "migrate", "--verbosity", "0"],
                   env=env, check=True, cwd=ROOT)
    return env


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="archive name(s) to run")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="waggle-bench-import-"))
    rows = []
    try:
        chosen = archives(tmp)
        if args.only:
            chosen = {k: v for k, v in chosen.items() if k in args.only}
        if any(name.endswith(f"x{ENLARGE}") for name in chosen):
            enlarge_stackexchange(shared_data() / "se-quantumcomputing", tmp / f"se-x{ENLARGE}",
                                  ENLARGE)
        dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
        for name, (kind, paths) in chosen.items():
            base_env = dict(os.environ, PYTHONPATH=str(ROOT))
            parse = run_child("parse", kind, paths, base_env)
            read = run_child("read", kind, paths, fresh_database("sqlite", tmp))
            for db in dbs:
                env = fresh_database(db, tmp)
                first = run_child("import", kind, paths, env)
                again = run_child("import", kind, paths, env)
                row = {"archive": name, "db": db, "parse": parse, "read": read,
                       "import": first, "rerun": again}
                rows.append(row)
                print(_line(row), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    table = _table(rows)
    print("\n" + table)
    if not args.no_record:
        _record(table, argv)


def _line(r: dict[str, Any]) -> str:
    imp, parse = r["import"], r["parse"]
    return (f"{r['archive']:28} {r['db']:8} parse {parse['seconds']:.2f}s  read "
            f"{r['read']['seconds']:.2f}s  import {imp['seconds']:.2f}s "
            f"({imp['created'] / imp['seconds']:,.0f} items/s, {imp['peak_mb']:.0f} MB)  "
            f"re-run {r['rerun']['seconds']:.2f}s created {r['rerun']['created']}")


def _table(rows: list[dict[str, Any]]) -> str:
    out = [
        "| archive | db | items | bare parse s | reader s | import s | items/s | import / parse "
        "| peak MB (parse / import) | re-run s (created) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        imp, parse = r["import"], r["parse"]
        out.append(
            f"| {r['archive']} | {r['db']} | {imp['created']:,} | {parse['seconds']:.2f} | "
            f"{r['read']['seconds']:.2f} | {imp['seconds']:.2f} | "
            f"{imp['created'] / imp['seconds']:,.0f} | {imp['seconds'] / parse['seconds']:.1f}x | "
            f"{parse['peak_mb']:.0f} / {imp['peak_mb']:.0f} | "
            f"{r['rerun']['seconds']:.2f} ({r['rerun']['created']}) |"
        )
    return "\n".join(out)


def _record(table: str, argv: list[str]) -> None:
    cpus = os.cpu_count()
    with open(RESULTS, "a") as f:
        f.write(
            f"\n## Import throughput, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n\n"
            f"Machine: {platform.node()}, {cpus} CPUs, Python {platform.python_version()}, "
            f"{platform.platform()}. Data: ../shared/data (see its README) and "
            f"se-quantumcomputing enlarged {ENLARGE}x by the benchmark. Command: "
            f"`.venv/bin/python bench/bench_import.py {shlex.join(argv)}`\n\n{table}\n"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        main(sys.argv[1:])
