// CSV written in the browser (the import error report): UTF-8 with a BOM so Excel opens it as
// UTF-8, CRLF line ends, RFC 4180 quoting, and a leading ' on cells starting with = + - @
// (spreadsheet formula injection), as the server's own CSV export does.
export function csvCell(v) {
  let s = v === null || v === undefined ? '' : String(v)
  if (/^[=+\-@]/.test(s)) s = "'" + s
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s
}

// columns: [{ label, value: (row) => any }]
export function toCsv(rows, columns, { bom = true } = {}) {
  const lines = [columns.map((c) => csvCell(c.label)).join(',')]
  for (const r of rows) lines.push(columns.map((c) => csvCell(c.value(r))).join(','))
  return (bom ? '\ufeff' : '') + lines.join('\r\n') + '\r\n'
}
