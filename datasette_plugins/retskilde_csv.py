"""Datasette's own CSV (tables, rows, SQL) with formula cells made safe for spreadsheets.

Datasette writes its CSV with `csv.writer` from inside its view code and has no hook for the
cells; its module's `csv` is replaced here by one whose writer passes every cell through
retskilde.spreadsheet.safe_cell, the same rule /-/sok.csv uses. Streaming keeps working: rows
are still written one at a time.
"""

import types

import datasette.views.base

from retskilde.spreadsheet import SafeWriter

datasette.views.base.csv = types.SimpleNamespace(writer=SafeWriter)
