"""Readers of the official sources: what every importer provides, and the shared reading helpers.

An importer is a module of this package with:
- `KIND`: the dataset kind (`bmo`, `chomage_ze`, ...), `LABEL`: its French name;
- `detect(path, head) -> bool`: whether a file looks like this kind (sheet names, header columns);
  `head` is a `FileHead` (format, sheet names, CSV header columns), built once by the registry;
- `read(path, *, vintage: str | None, context: ValidationContext) -> ReadResult`: parse the
  file as published and validate EVERY row (lazily: collect all errors, not the first) into a
  normalised frame; never touches the database (known codes come in `context`);
- `store(batch, frame) -> int`, in the service layer (diagnostics/services/imports.py), writes it (`STORES` in diagnostics/services/import_stores.py).
Optional: `FORMATS = ("xlsx",)` (formats accepted; a file of another format is refused with a
clear message), `OPTIONS = {key: French label}` (tolerances the user may choose; they arrive in
`context.options`, are offered on the upload form and by `import_dataset --option KEY`), and a
`notes[HINT_NOTE]` advice appended to the refusal message.

Shared helpers (use them rather than re-implementing; each imported from the module named in
brackets; the types in `contract`):
- `check_file_safety(path, max_bytes=..., max_uncompressed_bytes=...) -> "xlsx" | "csv"`: size
  limits, zip bombs and extensions that lie, BEFORE any parsing (the service calls it)
  [`file_checks`, with `file_head`];
- `read_csv_sniffed(path) -> (frame, CsvMeta)`: delimiter `;` `,` tab `|`, encodings UTF-8 /
  UTF-8 BOM / cp1252, every column as text (leading zeros survive), column `LINE` = file line
  [`csv_reading`];
- `read_xlsx(path, sheet=..., header_hint=[...]) -> (frame, XlsxMeta)`: calamine, finds the
  header row below title lines, every column as text, column `LINE` = spreadsheet row number
  [`xlsx_reading`];
- `match_columns(frame, spec, file_label=...)`: accent/case-insensitive header aliases → canonical
  names; a missing column is an `ImportFileError` naming it and the columns found [`values`];
- `parse_numbers`, `check_count`, `check_rate`, `check_codes`, `check_duplicates`, `row_errors`:
  vectorised validation producing `RowError`s (secret marker `*` → NA + masked flag, never 0)
  [`values`; the code checks in `codes`];
- `normalize_code` / `normalize_commune_codes` / `map_commune_codes`: `1001` → `01001`,
  merged communes through `ValidationContext.code_changes` [`codes`].
"""
