"""YAML documents carried as text inside other documents, checked before anything is written.

Cluster API carries node files as ``files[].content`` strings and kind carries kubeadm changes as
``kubeadmConfigPatches`` strings; the outer object's schema sees only a string. Each such text is parsed
back, compared with the data it was rendered from and validated against the schema of its own kind, as
the render pipeline does for every file. A failure is a bug in kgen.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from kgen.errors import InternalError


def _parsed(text: str) -> list[Any]:
    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return [document for document in yaml.load_all(text, Loader=loader) if document is not None]


def check_documents(where: str, text: str, documents: list[Any], version: str, validate: list[Any] | None = None) -> None:
    """``text`` parses back to exactly ``documents``, each valid for its apiVersion and kind.

    ``validate``: what to check against the schemas instead, when the documents are in a form kgen has no
    schema for (a kubeadm v1beta3 patch, checked as the v1beta4 document it converts to).
    """
    from kgen.validation import validate_config_document

    if _parsed(text) != json.loads(json.dumps(documents)):
        raise InternalError(f"{where}: embedded YAML does not parse back to the data it was rendered from")
    problems = []
    for index, document in enumerate(documents if validate is None else validate):
        problems.extend(validate_config_document(document, version, where, index))
    if problems:
        raise InternalError("rendered output fails its own validation:\n" + "\n".join(p.format() for p in problems))


# The delimiter of the unquoted heredocs kgen's install scripts write their configuration with.
HEREDOC_DELIMITER = "KGEN_EOF"


def check_heredoc(where: str, text: str, references: Mapping[str, str]) -> None:
    """``text`` goes into an unquoted heredoc, so that the key's shell reference expands: the shell would
    also expand any other ``$``, backquote or backslash in it, and a line equal to the delimiter would end it."""
    rest = text
    for reference in references:
        rest = rest.replace(reference, "")
    if any(character in rest for character in "$`\\") or HEREDOC_DELIMITER in rest.splitlines():
        raise InternalError(f"{where}: the embedded configuration holds text the shell would expand or end the heredoc with")


def check_script(where: str, script: str, embedded: tuple[tuple[str, Any, Mapping[str, str]], ...], version: str) -> None:
    """An install script's embedded configuration: present, parses back once its shell references are undone, valid."""
    for text, document, references in embedded:
        if text not in script:
            raise InternalError(f"{where}: the embedded configuration is not in the script as rendered")
        check_heredoc(where, text, references)
        original = text
        for reference, placeholder in references.items():
            original = original.replace(reference, placeholder)
        check_documents(where, original, [document], version)
