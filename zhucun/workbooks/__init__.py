"""Excel workbooks in and out, in the layouts counties already keep.

- ``safety``: refuse a file that is not an .xlsx, too large, or a zip bomb, before parsing.
- ``reading``: find the header row, apply merged cells, skip 序号/blank/合计/备注 rows.
- ``values``: parse what people type (dates in many forms, 是/否/√, full-width digits).
- ``columns``: the column declarations (django-import-export fields and widgets).
- ``importer``: validate every row, then write all of them in one transaction or none;
  ``results``: each row's values and problems, and the import's tally.
- ``exporter`` / ``writing``: the same layouts back out, never evaluated as formulas.
- ``kinds``: the seven kinds of workbook and the app resources that describe them.
"""
