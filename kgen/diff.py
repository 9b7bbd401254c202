"""`kgen diff`: a semantic diff of what two profiles, or one profile at two versions, render.

Settings are matched per component by what they are (a flag, a config field, a feature gate, a
--runtime-config entry, a node file, a cluster object), not by text lines, so a review sees
"--profiling on kube-apiserver: true -> false, from apiServer.profiling (CIS 1.2.15)" instead of a
moved line in a YAML file. Node files and cluster objects are compared by path inside the document.

A profile may be read from git as REV:PATH (PATH relative to the current folder, as with
`git show REV:./PATH`). A relative ``extends`` of such a profile is read from the same revision;
when that revision lacks the parent file, the working-tree copy is used and the report says so.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgen.errors import KgenError, UsageError
from kgen.profile import ProfileLoader
from kgen.provenance import Record, records, requirement_text, requirements_for, show_value
from kgen.reports import check_format

if TYPE_CHECKING:
    from kgen.plan import Plan

DIFF_FORMATS: tuple[str, ...] = ("text", "markdown", "json")
_REVISION_REFERENCE = re.compile(r"(?P<rev>[^:\s]+):(?P<path>[^:\s]+)")


@dataclass(frozen=True)
class DocumentChange:
    path: str
    old: Any
    new: Any


@dataclass(frozen=True)
class SettingChange:
    change: str  # added | removed | changed
    old: Record | None
    new: Record | None
    document: tuple[DocumentChange, ...] = ()

    @property
    def record(self) -> Record:
        found = self.new or self.old
        assert found is not None
        return found


@dataclass(frozen=True)
class FeatureChange:
    knob: str
    title: str
    old: str | None
    new: str | None
    detail: str


@dataclass
class Side:
    reference: str
    plan: Plan
    files: list[str]
    fallbacks: list[str] = field(default_factory=list)  # parents read from the working tree

    def label(self) -> str:
        if self.reference == self.plan.profile.name:
            return f"{self.reference} (Kubernetes {self.plan.version})"
        return f"{self.plan.profile.name} ({self.reference}, Kubernetes {self.plan.version})"


@dataclass
class Comparison:
    old: Side
    new: Side
    settings: list[SettingChange]
    features: list[FeatureChange]
    requirements_added: list[str]
    requirements_removed: list[str]
    notes_added: list[str]
    notes_removed: list[str]
    files_added: list[str]
    files_removed: list[str]

    @property
    def empty(self) -> bool:
        return not (
            self.settings
            or self.features
            or self.requirements_added
            or self.requirements_removed
            or self.files_added
            or self.files_removed
        )


def diff_report(
    old_ref: str, new_ref: str | None, targets: list[str] | None, version: str | None, to_version: str | None, output_format: str
) -> str:
    chosen_format = check_format(output_format, DIFF_FORMATS)
    if new_ref is None and to_version is None:
        raise UsageError("give a NEW profile to compare with, or --to-version to compare OLD across versions")
    loader = ProfileLoader()  # shared: a profile and its parents are read once for both sides
    old = load_side(old_ref, version, targets, loader)
    new = load_side(new_ref or old_ref, to_version or version, targets, loader)
    comparison = compare(old, new)
    if chosen_format == "json":
        return json.dumps(_as_json(comparison), indent=2, default=str) + "\n"
    if chosen_format == "markdown":
        return _markdown(comparison)
    return _text(comparison)


# --- loading ---------------------------------------------------------------------------------------------


def load_side(reference: str, version: str | None, targets: list[str] | None, loader: ProfileLoader | None = None) -> Side:
    from kgen.render import render_profile

    match = _REVISION_REFERENCE.fullmatch(reference)
    if match and not _exists(Path(reference)):
        import tempfile

        try:
            with tempfile.TemporaryDirectory(prefix="kgen-diff-") as temporary:
                revision_loader, fallbacks = _revision_loader(match["rev"], match["path"], Path(temporary))
                profile = revision_loader.load(str(revision_loader.root_file), version)
        except OSError as exc:  # a path the OS refuses (too long) while copying it out of git
            shown = reference if len(reference) <= 120 else reference[:120] + "..."
            raise KgenError(f"{shown}: cannot read: {exc.strerror or 'not a usable path'}") from None
    else:
        profile = (loader or ProfileLoader()).load(reference, version)
        fallbacks = []
    result = render_profile(profile, targets)
    files = sorted(rendered.path.split("/", 1)[1] for rendered in result.files)
    return Side(reference, result.plan, files, fallbacks)


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name the OS refuses is no file: it may still be REV:PATH
        return False


class _RevisionLoader(ProfileLoader):
    """Reads profiles copied out of a git revision; names them REV:PATH in every message."""

    def __init__(self, revision: str, root: Path, cwd: Path, root_file: Path, fallbacks: dict[Path, str]) -> None:
        super().__init__(cwd)
        self.revision = revision
        self.root = root
        self.root_file = root_file
        self.fallbacks = fallbacks

    def display_name(self, path: Path) -> str:
        try:
            inside = path.relative_to(self.root)
        except ValueError:
            return super().display_name(path)
        if path in self.fallbacks:
            return f"{self.fallbacks[path]} (working tree)"
        return f"{self.revision}:{inside.as_posix()}"


def _git(*arguments: str, cwd: Path) -> tuple[int, bytes, str]:
    import subprocess

    try:
        done = subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise KgenError("git is not installed; REV:PATH profiles need git") from None
    return done.returncode, done.stdout, done.stderr.decode("utf-8", "replace").strip()


def _revision_loader(revision: str, path: str, temporary: Path) -> tuple[_RevisionLoader, list[str]]:
    cwd = Path.cwd()
    status, out, err = _git("rev-parse", "--show-toplevel", "--show-prefix", cwd=cwd)
    if status != 0:
        raise KgenError(f"{revision}:{path}: the current folder is not inside a git repository ({err})")
    lines = out.decode().splitlines()
    top, prefix = Path(lines[0]), (lines[1] if len(lines) > 1 else "")
    status, _, err = _git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", cwd=cwd)
    if status != 0:
        raise KgenError(f"{revision}:{path}: {revision!r} is not a git revision here")
    root = (temporary / "tree").resolve()
    repo_path = _normal(prefix + path)
    fallbacks: dict[Path, str] = {}
    _copy_out(revision, repo_path, top, root, fallbacks, required=True)
    loader = _RevisionLoader(revision, root, root / prefix, root / repo_path, fallbacks)
    return loader, sorted(fallbacks.values())


def _normal(repo_path: str) -> str:
    import posixpath

    normal = posixpath.normpath(repo_path)
    if normal.startswith("../") or normal == "..":
        raise KgenError(f"{repo_path}: outside the git repository")
    return normal


def _copy_out(revision: str, repo_path: str, top: Path, root: Path, fallbacks: dict[Path, str], *, required: bool) -> None:
    """Write the profile at repo_path from the revision (else the working tree) under root, then its parents."""
    import posixpath

    from kgen.yamlload import MAX_BYTES, parse_mapping, read_file

    target = root / repo_path
    if target.exists():
        return
    status, content, err = _git("show", f"{revision}:{repo_path}", cwd=top)
    if status != 0:
        working = top / repo_path
        if required or not working.is_file():
            if required:
                raise KgenError(f"{revision}:{repo_path}: not in git ({err})")
            return  # the loader reports the missing parent with its file and line
        content = read_file(working, f"{repo_path} (working tree)")
        fallbacks[target.resolve()] = repo_path
    if len(content) > MAX_BYTES:
        content = content[: MAX_BYTES + 1]  # the loader reports the size, as for any file
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    try:
        # kgen's own reader, with its limits on size, depth and tags: the loader then reports any problem located
        data = parse_mapping(content, repo_path).data
    except KgenError:
        return
    parent = data.get("extends")
    if not isinstance(parent, str) or ("/" not in parent and not parent.endswith((".yaml", ".yml"))):
        return  # a bundled profile, or nothing
    if parent.startswith("/"):
        return
    _copy_out(revision, _normal(posixpath.join(posixpath.dirname(repo_path), parent)), top, root, fallbacks, required=False)


# --- comparing -------------------------------------------------------------------------------------------


def _requirements(side: Side) -> list[str]:
    """The requirements of the targets this side rendered."""
    return requirements_for(side.plan, list(dict.fromkeys(path.split("/", 1)[0] for path in side.files)))


def compare(old: Side, new: Side) -> Comparison:
    return Comparison(
        old=old,
        new=new,
        settings=compare_records(records(old.plan), records(new.plan)),
        features=_feature_changes(old.plan, new.plan),
        requirements_added=[r for r in _requirements(new) if r not in _requirements(old)],
        requirements_removed=[r for r in _requirements(old) if r not in _requirements(new)],
        notes_added=[n.text for n in new.plan.notes if n.text not in {m.text for m in old.plan.notes}],
        notes_removed=[n.text for n in old.plan.notes if n.text not in {m.text for m in new.plan.notes}],
        files_added=[f for f in new.files if f not in old.files],
        files_removed=[f for f in old.files if f not in new.files],
    )


def compare_records(old_records: list[Record], new_records: list[Record]) -> list[SettingChange]:
    """Added, removed and changed settings, in the order records are sorted."""
    old = {r.identity: r for r in old_records if r.is_setting}
    new = {r.identity: r for r in new_records if r.is_setting}
    changes: list[SettingChange] = []
    for identity in sorted(old.keys() | new.keys(), key=_identity_order):
        before, after = old.get(identity), new.get(identity)
        if before is None:
            changes.append(SettingChange("added", None, after))
        elif after is None:
            changes.append(SettingChange("removed", before, None))
        elif before.value != after.value:
            document: tuple[DocumentChange, ...] = ()
            if isinstance(before.value, dict) and isinstance(after.value, dict):
                document = tuple(document_changes(before.value, after.value))
            changes.append(SettingChange("changed", before, after, document))
    return changes


def _identity_order(identity: tuple[str, str, str]) -> tuple[int, int, str]:
    from kgen.provenance import order_key

    return order_key(*identity)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """A document as path -> scalar, paths like rules[2].resources[0].group."""
    flat: dict[str, Any] = {}
    if isinstance(value, dict):
        if not value and prefix:
            flat[prefix] = {}
        for key, item in value.items():
            flat.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list):
        if not value and prefix:
            flat[prefix] = []
        for index, item in enumerate(value):
            flat.update(flatten(item, f"{prefix}[{index}]"))
    else:
        flat[prefix] = value
    return flat


def document_changes(old: dict[str, Any], new: dict[str, Any]) -> list[DocumentChange]:
    before, after = flatten(old), flatten(new)
    changes = []
    for path in list(before) + [p for p in after if p not in before]:
        if before.get(path, _MISSING) != after.get(path, _MISSING):
            changes.append(DocumentChange(path, before.get(path, _MISSING), after.get(path, _MISSING)))
    return changes


class _Missing:
    def __repr__(self) -> str:
        return "(absent)"


_MISSING: Any = _Missing()


def _feature_changes(old: Plan, new: Plan) -> list[FeatureChange]:
    before = {f.knob: f for f in old.features}
    after = {f.knob: f for f in new.features}
    changes = []
    for knob in list(before) + [k for k in after if k not in before]:
        was, now = before.get(knob), after.get(knob)
        if was is not None and now is not None and was.state == now.state:
            continue
        either = now or was
        title = either.title if either is not None else knob
        changes.append(
            FeatureChange(
                knob,
                title,
                was.state if was else None,
                now.state if now else None,
                now.detail if now else (was.detail if was else ""),
            )
        )
    return changes


# --- formats ---------------------------------------------------------------------------------------------


def _shown(value: Any) -> str:
    return "(absent)" if value is _MISSING else show_value(value)


def _reason(record: Record) -> str:
    location = record.location or "default"
    parts = [f"{record.profile_key} ({location})", *record.refs]
    if record.rule:
        parts.append(record.rule)
    return "; ".join(parts)


def _decided_by(record: Record) -> tuple[Any, ...]:
    """The reason without its file position, which differs between a git revision and the working tree."""
    return (record.profile_key, record.refs, record.rule, record.why)


def _counts(comparison: Comparison) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for change in comparison.settings:
        per = counts.setdefault(change.record.component, {})
        per[change.change] = per.get(change.change, 0) + 1
    return counts


def summary_line(comparison: Comparison) -> str:
    parts = []
    for component, per in _counts(comparison).items():
        for verb in ("changed", "added", "removed"):
            if per.get(verb):
                count = per[verb]
                parts.append(f"{count} setting{'s' if count != 1 else ''} {verb} on {component}")
    if comparison.features:
        count = len(comparison.features)
        parts.append(f"{count} feature{'s' if count != 1 else ''} changed state")
    for verb, items in (("added", comparison.requirements_added), ("removed", comparison.requirements_removed)):
        if items:
            parts.append(f"{len(items)} requirement{'s' if len(items) != 1 else ''} {verb}")
    for verb, items in (("added", comparison.files_added), ("removed", comparison.files_removed)):
        if items:
            parts.append(f"{len(items)} output file{'s' if len(items) != 1 else ''} {verb}")
    return ", ".join(parts) if parts else "no differences in what is rendered"


def _change_lines(change: SettingChange) -> list[str]:
    record = change.record
    if change.change == "added":
        lines = [f"  + {record.label()} = {record.shown_value()}", f"      {_reason(record)}"]
    elif change.change == "removed":
        lines = [f"  - {record.label()} = {record.shown_value()}", f"      was: {_reason(record)}"]
    else:
        assert change.old is not None and change.new is not None
        if change.document:
            lines = [f"  ~ {record.label()}"]
            lines.extend(f"      {d.path}: {_shown(d.old)} -> {_shown(d.new)}" for d in change.document)
        else:
            lines = [f"  ~ {record.label()}: {change.old.shown_value()} -> {change.new.shown_value()}"]
        lines.append(f"      {_reason(change.new)}")
        if _decided_by(change.old) != _decided_by(change.new):
            lines.append(f"      was: {_reason(change.old)}")
    return lines


def _text(comparison: Comparison) -> str:
    lines = [f"old: {comparison.old.label()}", f"new: {comparison.new.label()}"]
    for side in (comparison.old, comparison.new):
        if side.fallbacks:
            lines.append(
                f"note: {side.reference}: parent profile(s) {', '.join(side.fallbacks)} not in that revision; "
                "read from the working tree"
            )
    lines.append(f"summary: {summary_line(comparison)}")
    current = None
    for change in comparison.settings:
        if change.record.component != current:
            current = change.record.component
            lines.append("")
            lines.append(current)
        lines.extend(_change_lines(change))
    if comparison.features:
        lines.append("")
        lines.append("features")
        for feature in comparison.features:
            lines.append(f"  ~ {feature.knob}: {feature.old or '(absent)'} -> {feature.new or '(absent)'}")
            lines.append(f"      {feature.detail}")
    for title, items, sign in (
        ("requirements", comparison.requirements_added, "+"),
        ("requirements", comparison.requirements_removed, "-"),
    ):
        if items:
            lines.append("")
            lines.append(title)
            lines.extend(f"  {sign} {rid}: {requirement_text(rid)}" for rid in items)
    if comparison.notes_added or comparison.notes_removed:
        lines.append("")
        lines.append("notes")
        lines.extend(f"  + {text}" for text in comparison.notes_added)
        lines.extend(f"  - {text}" for text in comparison.notes_removed)
    if comparison.files_added or comparison.files_removed:
        lines.append("")
        lines.append("output files")
        lines.extend(f"  + {path}" for path in comparison.files_added)
        lines.extend(f"  - {path}" for path in comparison.files_removed)
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(comparison: Comparison) -> str:
    lines = [f"**kgen diff**: {summary_line(comparison)}", ""]
    lines.append(f"`{comparison.old.label()}` → `{comparison.new.label()}`")
    for side in (comparison.old, comparison.new):
        if side.fallbacks:
            lines.append("")
            lines.append(
                f"> {side.reference}: parent profile(s) {', '.join(side.fallbacks)} not in that revision; "
                "read from the working tree"
            )
    counts = _counts(comparison)
    for component, per in counts.items():
        described = ", ".join(f"{per[verb]} {verb}" for verb in ("changed", "added", "removed") if per.get(verb))
        lines += [
            "",
            "<details>",
            f"<summary><b>{component}</b>: {described}</summary>",
            "",
            "| | setting | old | new | from / why |",
            "| --- | --- | --- | --- | --- |",
        ]
        for change in comparison.settings:
            if change.record.component != component:
                continue
            record = change.record
            sign = {"added": "+", "removed": "−", "changed": "~"}[change.change]
            old_value = change.old.shown_value() if change.old else ""
            new_value = change.new.shown_value() if change.new else ""
            if change.document:
                old_value = "<br>".join(f"{d.path}: {_shown(d.old)}" for d in change.document)
                new_value = "<br>".join(f"{d.path}: {_shown(d.new)}" for d in change.document)
            why = _reason(record) + (f"; {record.why}" if record.why else "")
            lines.append(f"| {sign} | `{_cell(record.label())}` | {_cell(old_value)} | {_cell(new_value)} | {_cell(why)} |")
        lines += ["", "</details>"]
    if comparison.features:
        lines += [
            "",
            "<details>",
            f"<summary><b>features</b>: {len(comparison.features)} changed state</summary>",
            "",
            "| feature | old | new | detail |",
            "| --- | --- | --- | --- |",
        ]
        for feature in comparison.features:
            lines.append(
                f"| {_cell(feature.title)} (`{feature.knob}`) | {feature.old or '—'} | {feature.new or '—'} | "
                f"{_cell(feature.detail)} |"
            )
        lines += ["", "</details>"]
    extra = [(f"+ requirement `{rid}`: {requirement_text(rid)}") for rid in comparison.requirements_added]
    extra += [(f"− requirement `{rid}`") for rid in comparison.requirements_removed]
    extra += [f"+ note: {text}" for text in comparison.notes_added]
    extra += [f"− note: {text}" for text in comparison.notes_removed]
    extra += [f"+ output file `{path}`" for path in comparison.files_added]
    extra += [f"− output file `{path}`" for path in comparison.files_removed]
    if extra:
        lines += ["", "<details>", "<summary><b>requirements, notes and output files</b></summary>", ""]
        lines += [f"- {_cell(item)}" for item in extra]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _as_json(comparison: Comparison) -> dict[str, Any]:
    def side(item: Side) -> dict[str, Any]:
        return {
            "reference": item.reference,
            "profile": item.plan.profile.name,
            "kubernetesVersion": item.plan.version,
            "chain": list(item.plan.profile.chain),
            "workingTreeParents": list(item.fallbacks),
        }

    def setting(change: SettingChange) -> dict[str, Any]:
        record = change.record
        return {
            "change": change.change,
            "component": record.component,
            "kind": record.kind,
            "key": record.key,
            "old": change.old.as_dict() if change.old else None,
            "new": change.new.as_dict() if change.new else None,
            "documentChanges": [
                {
                    "path": d.path,
                    "old": None if d.old is _MISSING else d.old,
                    "new": None if d.new is _MISSING else d.new,
                    "oldAbsent": d.old is _MISSING,
                    "newAbsent": d.new is _MISSING,
                }
                for d in change.document
            ],
        }

    return {
        "old": side(comparison.old),
        "new": side(comparison.new),
        "summary": summary_line(comparison),
        "settings": [setting(change) for change in comparison.settings],
        "features": [
            {"knob": f.knob, "title": f.title, "old": f.old, "new": f.new, "detail": f.detail} for f in comparison.features
        ],
        "requirements": {"added": comparison.requirements_added, "removed": comparison.requirements_removed},
        "notes": {"added": comparison.notes_added, "removed": comparison.notes_removed},
        "outputFiles": {"added": comparison.files_added, "removed": comparison.files_removed},
    }
