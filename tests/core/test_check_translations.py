"""scripts/check_translations fails on an untranslated or fuzzy entry and on a stale .mo, and
passes on a complete, compiled catalog; the project's own catalogs pass."""

import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check_translations"

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'


def _mo(messages: dict[str, str]) -> bytes:
    """A compiled catalog (GNU .mo), as msgfmt writes it."""
    messages = {"": "Content-Type: text/plain; charset=UTF-8\n", **messages}
    keys = sorted(messages)
    ids, strs, offsets = b"", b"", []
    for key in keys:
        k, v = key.encode(), messages[key].encode()
        offsets.append((len(ids), len(k), len(strs), len(v)))
        ids += k + b"\0"
        strs += v + b"\0"
    start = 7 * 4 + 16 * len(keys)
    table = b"".join(struct.pack("<2I", length, start + offset) for offset, length, _, _ in offsets)
    table += b"".join(struct.pack("<2I", length, start + len(ids) + offset) for _, _, offset, length in offsets)
    header = struct.pack("<7I", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0)
    return header + table + ids + strs


def _catalog(tmp_path: Path, po_body: str, compiled: dict[str, str] | None) -> Path:
    folder = tmp_path / "locale" / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text(HEADER + po_body, encoding="utf-8")
    if compiled is not None:
        (folder / "django.mo").write_bytes(_mo(compiled))
    return tmp_path


def _check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), str(root)], capture_output=True, text=True)


def test_a_complete_compiled_catalog_passes(tmp_path):
    root = _catalog(tmp_path, '#: a.html:1\nmsgid "Lead"\nmsgstr "Candidato"\n', {"Lead": "Candidato"})

    assert _check(root).returncode == 0


def test_an_untranslated_entry_fails(tmp_path):
    root = _catalog(tmp_path, 'msgid "Lead"\nmsgstr "Candidato"\n\nmsgid "Queue"\nmsgstr ""\n', {"Lead": "Candidato"})

    result = _check(root)

    assert result.returncode == 1
    assert "'Queue' is not translated" in result.stderr


def test_a_fuzzy_entry_fails(tmp_path):
    root = _catalog(tmp_path, '#, fuzzy, python-format\nmsgid "Lead %(n)s"\nmsgstr "Cola %(n)s"\n', {})

    result = _check(root)

    assert result.returncode == 1
    assert "is fuzzy" in result.stderr


def test_an_untranslated_plural_form_fails(tmp_path):
    body = 'msgid "%(n)d lead"\nmsgid_plural "%(n)d leads"\nmsgstr[0] "%(n)d candidato"\nmsgstr[1] ""\n'

    assert _check(_catalog(tmp_path, body, {})).returncode == 1


def test_a_catalog_changed_after_compiling_fails(tmp_path):
    root = _catalog(tmp_path, 'msgid "Lead"\nmsgstr "Candidato"\n', {"Lead": "Prospecto"})

    result = _check(root)

    assert result.returncode == 1
    assert "run compilemessages" in result.stderr


def test_the_projects_catalogs_are_complete():
    result = _check(ROOT)

    assert result.returncode == 0, result.stderr[-3000:]
