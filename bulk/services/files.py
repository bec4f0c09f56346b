"""An ingest job's CSV on disk: each upload is checked (UTF-8, the job's delimiter, the header,
readable records) and its records appended to the job's file, written again with the job's
delimiter and LF line ends; the header is written once. Nothing of a refused upload reaches the file."""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from leads.imports.parsing import MAX_COLUMNS, MAX_ROWS, import_dir, normalise

# A body larger than this is refused (Salesforce allows 150 MB of CSV per upload).
DEFAULT_MAX_UPLOAD_BYTES = 150 * 1024 * 1024
# All uploads of a job together.
DEFAULT_MAX_JOB_BYTES = 1024 * 1024 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "BULK_API_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def bulk_dir() -> Path:
    """Uploads being checked and query results: inside the imports folder, which web and the
    imports workers share (docker-compose: the ``imports`` volume)."""
    path = import_dir() / "bulk"
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_job_file() -> str:
    """A fresh file name under the imports folder, where the import pipeline reads its files."""
    name = f"bulk-{uuid.uuid4().hex}.csv"
    (import_dir() / name).touch()
    return name


@dataclass(frozen=True)
class AppendedUpload:
    headers: list[str]
    rows: int
    size: int


def _spool(chunks: Iterable[bytes], path: Path, limit: int) -> int:
    size = 0
    with path.open("wb") as out:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise ValidationError(
                    {
                        "file": _("The CSV is larger than %(mb)s MB; split it into several uploads.")
                        % {"mb": limit // 2**20}
                    }
                )
            out.write(chunk)
    if not size:
        raise ValidationError({"file": _("The request body is empty; send the CSV as text/csv.")})
    return size


def _records(path: Path, delimiter: str):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ValidationError(
                    {"file": _("Line %(line)s could not be read as CSV: %(error)s.") % {"line": line, "error": exc}}
                ) from exc
            except UnicodeDecodeError as exc:
                raise ValidationError({"file": _("The CSV must be encoded in UTF-8.")}) from exc
            yield cells


def append_upload(
    *,
    chunks: Iterable[bytes],
    job_file: str,
    delimiter: str,
    headers: list[str] | None,
    rows_before: int,
    check_header,
) -> AppendedUpload:
    """Check one upload and append its records to ``job_file``. ``headers`` are those of earlier
    uploads (``None`` for the first): a later upload repeats the same header row, which is not
    appended again. ``check_header(headers)`` raises the field errors of a first header."""
    spool = bulk_dir() / f"upload-{uuid.uuid4().hex}.part"
    clean = bulk_dir() / f"upload-{uuid.uuid4().hex}.csv"
    try:
        size = _spool(chunks, spool, max_upload_bytes())
        records = _records(spool, delimiter)
        header = next(records, None)
        if header is None or not any(c.strip() for c in header):
            raise ValidationError({"file": _("The first line must name the columns.")})
        names = [c.strip() for c in header]
        while names and not names[-1]:
            names.pop()
        if len(names) > MAX_COLUMNS:
            raise ValidationError({"file": _("The CSV has more than %(max)s columns.") % {"max": MAX_COLUMNS}})
        if headers is None:
            check_header(names)
        elif [normalise(n) for n in names] != [normalise(h) for h in headers]:
            raise ValidationError(
                {
                    "file": _("Every upload of a job starts with the same header row: %(header)s.")
                    % {"header": ", ".join(headers)}
                }
            )
        rows = 0
        with clean.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
            if headers is None:
                writer.writerow(names)
            for cells in records:
                if not any(c.strip() for c in cells):
                    continue
                rows += 1
                if rows_before + rows > MAX_ROWS:
                    raise ValidationError(
                        {"file": _("A job holds at most %(max)s records.") % {"max": f"{MAX_ROWS:,}"}}
                    )
                writer.writerow(cells)
        if not rows:
            raise ValidationError({"file": _("The CSV has a header row but no records.")})
        if (import_dir() / job_file).stat().st_size + clean.stat().st_size > DEFAULT_MAX_JOB_BYTES:
            raise ValidationError({"file": _("The job's uploads together exceed 1 GB.")})
        with clean.open("rb") as source, (import_dir() / job_file).open("ab") as target:
            while block := source.read(1024 * 1024):
                target.write(block)
        return AppendedUpload(headers=names if headers is None else headers, rows=rows, size=size)
    finally:
        spool.unlink(missing_ok=True)
        clean.unlink(missing_ok=True)


def truncate_to(job_file: str, size: int) -> None:
    """Cut the job's file back to the size its committed uploads wrote (an append whose
    transaction then failed leaves nothing behind)."""
    path = import_dir() / job_file
    if path.exists() and path.stat().st_size > size:
        with path.open("r+b") as handle:
            handle.truncate(size)


def file_size(job_file: str) -> int:
    path = import_dir() / job_file
    return path.stat().st_size if path.exists() else 0


def remove(path: Path) -> None:
    path.unlink(missing_ok=True)
