"""Formats of a `kgen verify` result: text for people, JSON for tools, markdown for pull requests,
SARIF for code-scanning dashboards and JUnit XML for CI test reports."""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import quoteattr as _quoteattr

from kgen.verify import STATUSES, Finding, VerifyResult

FORMATS = ("text", "json", "markdown", "sarif", "junit")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://example.invalid/kgen"
_SARIF_LEVEL = {"drift": "error", "missing": "error", "extra": "error", "unreadable": "warning"}


def summary_line(result: VerifyResult) -> str:
    counts = ", ".join(f"{result.count(status)} {status}" for status in STATUSES)
    verdict = "DRIFT" if result.drifted else "MATCHES"
    return f"verify {result.profile} (Kubernetes {result.version}) on {result.root}: {verdict}: {counts}"


def _provenance(finding: Finding) -> str:
    parts = list(finding.refs)
    if finding.origin:
        parts.append(f"from {finding.origin}")
    return "; ".join(parts)


def text(result: VerifyResult, show_ok: bool = False) -> str:
    lines = [summary_line(result)]
    lines.extend(f"note: {note}" for note in result.notes)
    component = None
    for finding in result.findings:
        if finding.status == "ok" and not show_ok:
            continue
        if finding.component != component:
            component = finding.component
            lines.append("")
            lines.append(f"{component}:")
        lines.append(f"  {finding.status:<10} {finding.setting}")
        if finding.status in ("drift", "extra"):
            lines.append(f"      expected: {finding.expected}")
            lines.append(f"      found:    {finding.found}")
        elif finding.status == "unreadable":
            lines.append(f"      problem:  {finding.found}")
        elif finding.status == "ok" and finding.found != finding.expected:
            lines.append(f"      found:    {finding.found}")
        if finding.status == "missing":
            lines.append(f"      expected: {finding.expected}")
        if finding.source:
            lines.append(f"      in:       {finding.source}")
        provenance = _provenance(finding)
        if provenance:
            lines.append(f"      why:      {provenance}" + (f" ({finding.why})" if finding.why else ""))
    return "\n".join(lines) + "\n"


def as_json(result: VerifyResult) -> str:
    data = {
        "profile": result.profile,
        "kubernetesVersion": result.version,
        "root": result.root,
        "controlPlane": result.control_plane,
        "matches": not result.drifted,
        "counts": {status: result.count(status) for status in STATUSES},
        "notes": result.notes,
        "findings": [finding._asdict() | {"refs": list(finding.refs)} for finding in result.findings],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or " "


def markdown(result: VerifyResult) -> str:
    lines = [f"**{summary_line(result)}**", ""]
    lines.extend(f"- {note}" for note in result.notes)
    problems = [f for f in result.findings if f.status != "ok"]
    if problems:
        lines += ["", "| component | setting | status | expected | found | why |", "| --- | --- | --- | --- | --- | --- |"]
        for f in problems:
            lines.append(
                f"| {_cell(f.component)} | `{_cell(f.setting)}` | {f.status} | {_cell(f.expected)} | {_cell(f.found)} "
                f"| {_cell(_provenance(f))} |"
            )
    return "\n".join(lines) + "\n"


def _rule_id(finding: Finding) -> str:
    return f"kgen/{finding.status}/{finding.component}/{finding.setting.lstrip('-')}"


def sarif(result: VerifyResult) -> str:
    problems = [f for f in result.findings if f.status != "ok"]
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for f in problems:
        rule_id = _rule_id(f)
        rules.setdefault(
            rule_id,
            {
                "id": rule_id,
                "name": f"{f.status}-{f.setting.lstrip('-')}",
                "shortDescription": {"text": f"{f.component} {f.setting}: {f.status}"},
                "help": {"text": _provenance(f) + (f" ({f.why})" if f.why else "")},
                "properties": {"tags": ["security", "kubernetes", *f.refs]},
            },
        )
        message = f"{f.component} {f.setting}: {f.status}; expected {f.expected or '(nothing)'}, found {f.found or '(nothing)'}"
        location = (f.source or "").split(", ")[0].lstrip("/") or "node"
        results.append(
            {
                "ruleId": rule_id,
                "level": _SARIF_LEVEL[f.status],
                "message": {"text": message},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": location, "uriBaseId": "NODEROOT"}}}],
            }
        )
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kgen verify",
                        "informationUri": "https://example.invalid/kgen",
                        "rules": list(rules.values()),
                    }
                },
                "originalUriBaseIds": {"NODEROOT": {"uri": "file://" + result.root.rstrip("/") + "/"}},
                "results": results,
                "properties": {"profile": result.profile, "kubernetesVersion": result.version},
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def junit(result: VerifyResult) -> str:
    """One test suite per component, one test case per setting; anything but ok is a failure."""
    suites: dict[str, list[Finding]] = {}
    for finding in result.findings:
        suites.setdefault(finding.component, []).append(finding)
    failures = sum(1 for f in result.findings if f.status != "ok")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name={quoteattr("kgen verify " + result.profile)} tests="{len(result.findings)}" failures="{failures}">',
    ]
    for component, findings in suites.items():
        failed = sum(1 for f in findings if f.status != "ok")
        lines.append(f'  <testsuite name={quoteattr(component)} tests="{len(findings)}" failures="{failed}">')
        for f in findings:
            lines.append(f"    <testcase classname={quoteattr(component)} name={quoteattr(f.setting)}>")
            if f.status != "ok":
                message = f"{f.status}: expected {f.expected or '(nothing)'}, found {f.found or '(nothing)'}"
                detail = f"source: {f.source}\nwhy: {_provenance(f)}"
                lines.append(
                    f"      <failure type={quoteattr(f.status)} message={quoteattr(message)}>{_xml_text(detail)}</failure>"
                )
            lines.append("    </testcase>")
        lines.append("  </testsuite>")
    lines.append("</testsuites>")
    return "\n".join(lines) + "\n"


def _clean(text: str) -> str:
    """XML 1.0 has no place for most control characters, even escaped: drop them."""
    return "".join(ch for ch in text if ch in "\t\n\r" or (ord(ch) >= 0x20 and ch not in "\ufffe\uffff"))


def quoteattr(text: str) -> str:
    return _quoteattr(_clean(text))


def _xml_text(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(_clean(text))


def render_result(result: VerifyResult, output_format: str, show_ok: bool = False) -> str:
    if output_format == "json":
        return as_json(result)
    if output_format == "markdown":
        return markdown(result)
    if output_format == "sarif":
        return sarif(result)
    if output_format == "junit":
        return junit(result)
    return text(result, show_ok)
