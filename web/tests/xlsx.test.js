// The e2e test's XLSX/ZIP helpers (tests/e2e/xlsx.mjs): CRC-32, the store-only ZIP writer read
// back by the ZIP reader, the inline-string sheet and the GB 11643 check digit.
import { describe, it, expect } from 'vitest'
import { inflateRawSync, deflateRawSync } from 'node:zlib'
import { crc32, zipStore, unzip, makeXlsx, xlsxHeaders, colName, idCheckChar, idNumber } from '../../tests/e2e/xlsx.mjs'

describe('zip', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926)
    expect(crc32(Buffer.alloc(0))).toBe(0)
  })
  it('writes a store-only archive the reader reads back', () => {
    const z = zipStore([{ name: 'a.txt', data: 'hello' }, { name: '目录/中文.xml', data: Buffer.from('<x>党</x>') }])
    expect(z.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]))
    expect(z.readUInt32LE(z.length - 22)).toBe(0x06054b50)
    expect(z.readUInt16LE(z.length - 12)).toBe(2) // entries
    const files = unzip(z)
    expect([...files.keys()]).toEqual(['a.txt', '目录/中文.xml'])
    expect(files.get('a.txt').toString()).toBe('hello')
    expect(files.get('目录/中文.xml').toString()).toBe('<x>党</x>')
    // the local header's CRC is the data's
    expect(z.readUInt32LE(14)).toBe(crc32(Buffer.from('hello')))
  })
  it('reads deflated entries too', () => {
    const data = Buffer.from('abc'.repeat(100))
    const raw = deflateRawSync(data)
    expect(inflateRawSync(raw).equals(data)).toBe(true)
  })
})

describe('xlsx', () => {
  it('names columns like Excel', () => {
    expect([0, 1, 25, 26, 27, 51, 52, 701, 702].map(colName)).toEqual(['A', 'B', 'Z', 'AA', 'AB', 'AZ', 'BA', 'ZZ', 'AAA'])
  })
  it('builds a workbook whose first row is the headers, escaping XML', () => {
    const x = makeXlsx([['姓名', '备注<&>'], ['张三', 'a"b']])
    const files = unzip(x)
    expect([...files.keys()]).toEqual(['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/worksheets/sheet1.xml'])
    const sheet = files.get('xl/worksheets/sheet1.xml').toString()
    expect(sheet).toContain('<c r="A2" t="inlineStr"><is><t>张三</t></is></c>')
    expect(sheet).toContain('a&quot;b')
    expect(xlsxHeaders(x)).toEqual(['姓名', '备注<&>'])
  })
  it('leaves empty cells out', () => {
    const sheet = unzip(makeXlsx([['a', '', 'c']])).get('xl/worksheets/sheet1.xml').toString()
    expect(sheet).toContain('r="A1"'); expect(sheet).not.toContain('r="B1"'); expect(sheet).toContain('r="C1"')
  })
})

describe('GB 11643 check digit', () => {
  it('matches known numbers', () => {
    expect(idCheckChar('11010519491231002')).toBe('X') // the standard's example
    expect(idCheckChar('11010119900101001')).toBe('5')
    expect(idNumber('44052418800101001')).toBe('440524188001010014')
  })
})
