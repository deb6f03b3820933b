"""`waggle import` and `waggle demo --from-...` as a user runs them: messages, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from waggle.exchange.models import Post
from waggle.harvest.models import ImportRun
from waggle.people.models import User

ROOT = Path(__file__).resolve().parents[2]


def small_dump(shared_data: Path, tmp_path: Path, rows: int = 60) -> Path:
    """The first rows of the real quantumcomputing dump: quick to import, still real."""
    src, dst = shared_data / "se-quantumcomputing", tmp_path / "qc-small"
    dst.mkdir()
    for name in ("Users.xml", "Posts.xml", "Comments.xml", "PostLinks.xml"):
        lines = (src / name).read_text(encoding="utf-8").splitlines()
        head, body = lines[:2], [x for x in lines[2:] if x.strip().startswith("<row")]
        closing = lines[1].replace("<", "</", 1)
        (dst / name).write_text("\n".join([*head, *body[:rows], closing]) + "\n", encoding="utf-8")
    return dst


def test_import_prints_a_summary(db: Any, shared_data: Path, tmp_path: Path) -> None:
    out = StringIO()
    call_command("import", "stackexchange", str(small_dump(shared_data, tmp_path)),
                 "--space", "Quantum", "--no-progress", stdout=out)
    text = out.getvalue()
    assert "stackexchange archive 'quantum'" in text
    assert "question" in text and "skipped:" in text and "errors: none" in text
    assert Post.objects.filter(space__name="Quantum", source="stackexchange").exists()


def test_missing_archive_is_a_clear_error(db: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"Posts\.xml"):
        call_command("import", "stackexchange", str(tmp_path), "--no-progress")
    assert not ImportRun.objects.exists()


def test_damaged_file_exits_non_zero_naming_file_and_line(
    shared_data: Path, tmp_path: Path
) -> None:
    """The real command in a real process, on a damaged copy: exit code 1, the file and the
    line on stderr, and the same command resumes once the file is fixed."""
    dump = small_dump(shared_data, tmp_path)
    good = (dump / "Posts.xml").read_bytes()
    (dump / "Posts.xml").write_bytes(good[: len(good) // 2])  # cut mid-row
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}",
               DJANGO_SETTINGS_MODULE="waggle.config.settings")
    waggle = [sys.executable, "-m", "waggle.cli"]
    subprocess.run([*waggle, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    command = [*waggle, "import", "stackexchange", str(dump), "--batch", "10"]
    failed = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    assert failed.returncode == 1
    assert "Posts.xml" in failed.stderr and "line" in failed.stderr
    assert "run the same command again to resume" in failed.stderr
    (dump / "Posts.xml").write_bytes(good)
    resumed = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed after unit" in resumed.stdout


def test_demo_from_stackexchange_opens_logins(db: Any, shared_data: Path, tmp_path: Path) -> None:
    dump = small_dump(shared_data, tmp_path, rows=200)
    out = StringIO()
    call_command("demo", "--from-stackexchange", str(dump), "--quiet", stdout=out)
    text = out.getvalue()
    assert "Password for these demo logins: waggle-demo" in text
    usable = [u for u in User.objects.filter(source="stackexchange") if u.has_usable_password()]
    assert 1 <= len(usable) <= 3
    assert all(u.username in text for u in usable)
    # A second demo on the same archive imports nothing twice.
    posts = Post.objects.count()
    call_command("demo", "--from-stackexchange", str(dump), "--quiet", stdout=StringIO())
    assert Post.objects.count() == posts


def test_demo_from_a_missing_archive_fails_clearly(db: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Could not import the archive"):
        call_command("demo", "--from-slack", str(tmp_path / "nope.zip"), "--quiet")
