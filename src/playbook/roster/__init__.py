"""Groups from and to spreadsheets: `playbook roster import` merges a customer-group export
(CSV or XLSX, as a WeCom admin console or SCRM tool gives it) into roster.yaml, keeping its
comments and hand-written values; `playbook roster export` writes the roster back as CSV or XLSX.

The pieces, in the order an import runs them: `read` (file -> table of text cells), `mapping`
(headers -> roster keys, name patterns -> types, owners -> operators), `rows` (cells -> checked
values), `match` (rows + roster -> a plan), `merge` (plan -> roster.yaml text); `export` writes the
other way. `command` wires them to the command line. Their diagnostics are PB080–PB099, kept with
the other file problems in `playbook.codes`.
"""

__all__: list[str] = []  # importing the package stays cheap: `playbook --help` imports `command`
