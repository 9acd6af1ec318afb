import { describe, it, expect } from 'vitest'
import { csvCell, toCsv } from '@/utils/csv.js'

describe('csv', () => {
  it('quotes per RFC 4180 and guards formulas', () => {
    expect(csvCell('abc')).toBe('abc')
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('two\nlines')).toBe('"two\nlines"')
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)")
    expect(csvCell('-1')).toBe("'-1")
    expect(csvCell(null)).toBe('')
    expect(csvCell(3)).toBe('3')
  })
  it('writes a BOM, a header row and CRLF lines', () => {
    const s = toCsv([{ a: 1, b: '党,员' }], [{ label: '甲', value: (r) => r.a }, { label: '乙', value: (r) => r.b }])
    expect(s).toBe('\ufeff甲,乙\r\n1,"党,员"\r\n')
    expect(toCsv([], [{ label: 'x', value: () => 1 }], { bom: false })).toBe('x\r\n')
  })
})
