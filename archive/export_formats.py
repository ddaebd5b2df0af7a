"""The export formats: JSON lines, CSV and Parquet (registered in :data:`archive.export.FORMATS`).

Parquet files are written with pyarrow in row groups of :data:`ROW_GROUP` records, with the
schema of :func:`arrow_schema` and the export's options in the file's key-value metadata
(key ``arshif``).
"""

from __future__ import annotations

import csv
import json
from typing import IO, Any

from archive import __version__
from archive.export import (
    FIELD_NAMES,
    FIELDS,
    LIST_SEPARATOR,
    ExportOptions,
    Format,
    Record,
    plain,
    register,
)

ROW_GROUP = 5000
PARQUET_COMPRESSION = "zstd"


class JsonLinesWriter:
    """One JSON object per line, UTF-8, every field present (null when unknown)."""

    def __init__(self, stream: IO[Any], options: ExportOptions) -> None:
        self.stream = stream

    def write(self, batch: list[Record]) -> None:
        self.stream.write("".join(json.dumps(plain(r), ensure_ascii=False) + "\n" for r in batch))

    def close(self) -> None:
        self.stream.flush()


class CsvWriter:
    """RFC 4180 CSV with a header row; republished_by joined with ", "."""

    def __init__(self, stream: IO[Any], options: ExportOptions) -> None:
        self.stream = stream
        self.writer = csv.writer(stream, lineterminator="\n")
        self.writer.writerow(FIELD_NAMES)

    def write(self, batch: list[Record]) -> None:
        for record in batch:
            rec = plain(record)
            rec["republished_by"] = LIST_SEPARATOR.join(rec["republished_by"])
            self.writer.writerow(["" if rec[k] is None else rec[k] for k in FIELD_NAMES])

    def close(self) -> None:
        self.stream.flush()


def arrow_schema() -> Any:
    import pyarrow as pa

    types = {
        "int": pa.int64(),
        "float": pa.float64(),
        "str": pa.string(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "list[str]": pa.list_(pa.string()),
    }
    return pa.schema(
        [
            pa.field(name, types[kind], nullable=nullable, metadata={"description": meaning})
            for name, kind, nullable, meaning in FIELDS
        ]
    )


class ParquetWriter:
    """Parquet via pyarrow. Each incoming batch becomes an Arrow record batch at once (compact,
    no Python objects kept); every :data:`ROW_GROUP` rows are written as one row group, so
    memory is bounded by the row group, not by the archive."""

    def __init__(self, stream: IO[Any], options: ExportOptions) -> None:
        import pyarrow.parquet as pq

        meta = {"arshif_version": __version__, "options": options.describe()}
        self.schema = arrow_schema().with_metadata({"arshif": json.dumps(meta)})
        self.writer = pq.ParquetWriter(stream, self.schema, compression=PARQUET_COMPRESSION)
        self.pending: list[Any] = []  # pyarrow.RecordBatch
        self.rows = 0

    def write(self, batch: list[Record]) -> None:
        import pyarrow as pa

        self.pending.append(pa.RecordBatch.from_pylist(batch, schema=self.schema))
        self.rows += len(batch)
        while self.rows >= ROW_GROUP:
            self._flush(ROW_GROUP)

    def _flush(self, rows: int) -> None:
        import pyarrow as pa

        if not rows:
            return
        table = pa.Table.from_batches(self.pending, schema=self.schema)
        self.writer.write_table(table.slice(0, rows), row_group_size=rows)
        rest = table.slice(rows)
        self.pending, self.rows = rest.to_batches(), rest.num_rows

    def close(self) -> None:
        self._flush(self.rows)
        self.writer.close()


register(Format("jsonl", ".jsonl", False, JsonLinesWriter, "JSON lines (one object per line)"))
register(Format("csv", ".csv", False, CsvWriter, "CSV with a header row"))
register(Format("parquet", ".parquet", True, ParquetWriter, "Apache Parquet (pyarrow)"))
