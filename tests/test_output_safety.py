"""The output folder: never written through a link, never mixed by two renders, never kgen's own inputs.

Every refusal is a located one-line problem, exits non-zero, prints no traceback and leaves every
file (the output folder and whatever a link points to) byte for byte as it was.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kgen.cli import app
from kgen.errors import KgenError

KGEN = Path(sys.executable).parent / "kgen"


def _snapshot(root: Path) -> dict[str, bytes | str]:
    """Every entry under root, links as their target text (never followed)."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        name = str(path.relative_to(root))
        if path.is_symlink():
            found[name] = "-> " + str(path.readlink())
        elif path.is_file():
            found[name] = path.read_bytes()
        elif path.is_dir():
            found[name] = "dir"
    return found


def _run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"kgen {' '.join(args)} raised {result.exception!r}") from result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working folder with a render of cis (kubeadm and flags) in out/ and a victim folder beside it."""
    monkeypatch.chdir(tmp_path)
    code, _out, err = _run(["render", "cis", "-t", "kubeadm", "-t", "flags", "-o", "out"])
    assert code == 0, err
    victim = tmp_path / "victim"
    (victim / "kubeadm").mkdir(parents=True)
    (victim / "kubeadm" / "precious.txt").write_text("keep me\n", encoding="utf-8")
    (victim / "precious.txt").write_text("keep me too\n", encoding="utf-8")
    yield tmp_path


def _refused(work: Path, args: list[str], expected: str, *, exit_code: int = 1) -> str:
    before = _snapshot(work)
    code, _stdout, stderr = _run(args)
    assert code == exit_code, f"kgen {' '.join(args)} exited {code}: {stderr}"
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert lines
    assert all(": error: " in line for line in lines), lines
    assert expected in stderr, stderr
    assert _snapshot(work) == before, "a file changed on disk"
    return stderr


def _link_cases(work: Path) -> dict[str, tuple[Path, Path]]:
    return {
        "profile-folder": (work / "out" / "cis", work / "victim"),
        "target-folder": (work / "out" / "cis" / "kubeadm", work / "victim" / "kubeadm"),
        "inside-target": (work / "out" / "cis" / "kubeadm" / "kubeadm-config.yaml", work / "victim" / "precious.txt"),
        "dangling": (work / "out" / "cis" / "flags", work / "nowhere"),
    }


@pytest.mark.parametrize("case", ["profile-folder", "target-folder", "inside-target", "dangling"])
def test_render_refuses_a_link_below_the_output_folder(work: Path, case: str) -> None:
    link, points_to = _link_cases(work)[case]
    if link.is_dir():
        import shutil

        shutil.rmtree(link)
    elif link.exists():
        link.unlink()
    link.symlink_to(points_to)
    shown = f"out/{link.relative_to(work / 'out')}"
    stderr = _refused(work, ["render", "cis", "-t", "kubeadm", "-t", "flags", "-o", "out"], f"{shown}: error: is a symbolic link")
    assert len(stderr.splitlines()) == 1
    assert not (work / "nowhere").exists()
    # --check reports the same link, with the drift status
    check = _refused(
        work,
        ["render", "cis", "-t", "kubeadm", "-t", "flags", "-o", "out", "--check"],
        f"{shown}: error: is a symbolic link",
        exit_code=3,
    )
    assert "Traceback" not in check


def test_the_output_folder_itself_may_be_a_link(work: Path) -> None:
    (work / "real").mkdir()
    (work / "linked").symlink_to(work / "real")
    code, _out, err = _run(["render", "cis", "-t", "flags", "-o", "linked"])
    assert code == 0, err
    assert (work / "real" / "cis" / "flags" / "kube-apiserver.args").is_file()


def test_a_link_to_a_device_in_a_target_folder_is_never_read(work: Path) -> None:
    link = work / "out" / "cis" / "flags" / "kube-apiserver.args"
    link.unlink()
    link.symlink_to("/dev/zero")
    _refused(work, ["render", "cis", "-t", "flags", "-o", "out", "--check"], "is a symbolic link", exit_code=3)


def test_leftover_temporary_folders_are_reported_then_removed(work: Path) -> None:
    profile = work / "out" / "cis"
    (profile / ".kgen-new-kubeadm-x1y2").mkdir()
    (profile / ".kgen-new-kubeadm-x1y2" / "half.yaml").write_text("a: 1\n", encoding="utf-8")
    (profile / ".kgen-old-flags-4242").mkdir()
    (profile / ".kgen-old-gke-99").symlink_to(work / "victim")  # a link is removed itself, not followed
    stderr = _refused(
        work, ["render", "cis", "-t", "kubeadm", "-t", "flags", "-o", "out", "--check"], "interrupted render", exit_code=3
    )
    assert sorted(line.split(":")[0] for line in stderr.splitlines()) == [
        "out/cis/.kgen-new-kubeadm-x1y2",
        "out/cis/.kgen-old-flags-4242",
        "out/cis/.kgen-old-gke-99",
    ]
    victim_before = _snapshot(work / "victim")
    code, stdout, err = _run(["render", "cis", "-t", "kubeadm", "-t", "flags", "-o", "out"])
    assert code == 0, err
    assert stdout.count("left by an interrupted render") == 3
    assert not [p for p in profile.iterdir() if p.name.startswith(".kgen-")]
    assert _snapshot(work / "victim") == victim_before
    code, _out, err = _run(["render", "cis", "-t", "kubeadm", "-t", "flags", "-o", "out", "--check"])
    assert code == 0, err


def test_empty_output_folder_is_refused(work: Path) -> None:
    _refused(work, ["render", "cis", "-o", ""], "the output folder (-o/--output) must not be empty", exit_code=2)
    _refused(work, ["render", "cis", "-o", "", "--check"], "must not be empty", exit_code=2)


@pytest.mark.parametrize("how", ["link", "dotdot", "profile-named-like-an-input"])
def test_output_that_would_replace_the_projects_inputs(work: Path, how: str) -> None:
    for name in ("profiles", "templates"):
        (work / name).mkdir()
        (work / name / "keep.yaml").write_text("name: keep\n", encoding="utf-8")
    if how == "link":
        (work / "innocent").symlink_to(work / "templates")
        _refused(work, ["render", "cis", "-o", "innocent"], "refusing to write output inside")
    elif how == "dotdot":
        _refused(work, ["render", "cis", "-o", "out/../profiles"], "refusing to write output inside")
    else:
        (work / "mine").mkdir()
        (work / "mine" / "p.yaml").write_text("name: templates\nextends: cis\n", encoding="utf-8")
        stderr = _refused(work, ["render", "mine/p.yaml", "-t", "flags", "-o", "."], "(kgen's own input)")
        assert "./templates: error: refusing to replace" in stderr


def test_a_profile_is_all_old_or_all_new(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second target folder's swap fails: the first, already swapped, is put back."""
    from kgen import output
    from kgen.render import RenderedFile

    files = [RenderedFile("cis/flags/new.args", "--a=1\n"), RenderedFile("cis/kubeadm/new.yaml", "a: 1\n")]
    before = _snapshot(work)
    real_rename = Path.rename
    swaps = {"n": 0}

    def failing_rename(self: Path, target: Any) -> Any:
        if self.name.startswith(".kgen-new-"):
            swaps["n"] += 1
            if swaps["n"] == 2:
                raise OSError(5, "Input/output error", str(self))
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", failing_rename)
    with pytest.raises(KgenError) as caught:
        output.write_tree(work / "out", files)
    monkeypatch.undo()
    assert swaps["n"] == 2
    assert "cannot write: Input/output error" in caught.value.lines()[0]
    assert _snapshot(work) == before


def test_a_failed_first_render_leaves_no_profile_folder(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kgen import output
    from kgen.render import RenderedFile

    real_rename = Path.rename

    def failing_rename(self: Path, target: Any) -> Any:
        if self.name.startswith(".kgen-new-"):
            raise OSError(28, "No space left on device", str(self))
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", failing_rename)
    with pytest.raises(KgenError):
        output.write_tree(work / "out", [RenderedFile("fresh/flags/a.args", "--a=1\n")])
    monkeypatch.undo()
    assert not (work / "out" / "fresh").exists()
    assert not (work / "out" / ".kgen.lock").exists()


def test_a_render_waits_for_another_then_fails_clearly(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process holds the output folder's lock: this render fails after the wait, writing nothing."""
    from kgen import output

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import fcntl, os, sys, time
                fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
                fcntl.flock(fd, fcntl.LOCK_EX)
                print("locked", flush=True)
                sys.stdin.read()
                """
            ),
            str(work / "out" / ".kgen.lock"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        monkeypatch.setattr(output, "LOCK_WAIT_SECONDS", 0.3)
        (work / "other.yaml").write_text("name: cis\nextends: strict\n", encoding="utf-8")
        _refused(work, ["render", "other.yaml", "-t", "flags", "-o", "out"], "out/.kgen.lock: error: another kgen render")
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()
    code, _out, err = _run(["render", "other.yaml", "-t", "flags", "-o", "out"])
    assert code == 0, err


@pytest.mark.skipif(not KGEN.exists(), reason="kgen is not installed in this environment")
def test_two_concurrent_renders_never_mix_their_targets(tmp_path: Path) -> None:
    """Two processes render different profiles of one name into one folder: the result is one run's, whole."""
    targets = ["-t", "kubeadm", "-t", "flags", "-t", "kubespray"]
    (tmp_path / "a.yaml").write_text("name: p\nextends: baseline\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("name: p\nextends: strict\n", encoding="utf-8")
    expected = {}
    for name in ("a", "b"):
        done = subprocess.run(
            [str(KGEN), "render", f"{name}.yaml", *targets, "-o", f"alone-{name}"], cwd=tmp_path, capture_output=True, check=False
        )
        assert done.returncode == 0, done.stderr
        expected[name] = _snapshot(tmp_path / f"alone-{name}" / "p")
    assert expected["a"] != expected["b"]
    for _round in range(3):
        runs = [
            subprocess.Popen(
                [str(KGEN), "render", f"{name}.yaml", *targets, "-o", "shared"], cwd=tmp_path, stderr=subprocess.PIPE
            )
            for name in ("a", "b", "a", "b")
        ]
        for run in runs:
            _out, err = run.communicate(timeout=120)
            assert run.returncode == 0, err
            assert b"Traceback" not in err
        assert _snapshot(tmp_path / "shared" / "p") in (expected["a"], expected["b"])


def test_a_folder_that_vanishes_during_an_unlocked_look_is_no_crash(tmp_path: Path) -> None:
    """write_tree's first look and --check without a lock file walk folders another render may be swapping."""
    from kgen.output import _existing_files, _Listing, _scan

    listing = _Listing({}, [])
    _scan(str(tmp_path / "gone"), "", listing)  # removed between listing its parent and reading it
    assert listing == _Listing({}, [])
    (tmp_path / "file").write_text("x", encoding="utf-8")
    _scan(str(tmp_path / "file"), "", listing)  # replaced by a file
    assert listing == _Listing({}, [])
    assert _existing_files(tmp_path).files == {"file": tmp_path / "file"}
