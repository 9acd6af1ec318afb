import { describe, it, expect } from 'vitest'
import { checkFile, splitCitation, progressText, reportRows, summarize, reportCsv, reportFileName, fmtSize } from '@/views/member/importModel.js'

const REPORT = { written: false, mode: 'all_or_nothing', rows_total: 3, rows_ok: 2, rows_failed: 1, created: 0, updated: 0,
  errors: [
    { row: 4, column: 'A', header: '姓名', field: 'name', rule: '', message: '姓名不能为空' },
    { row: 3, column: 'E', header: '身份证号', field: 'id_number', rule: 'member.id_number_valid', message: '身份证号校验码错误（依据：《公民身份号码》（GB 11643-1999））' },
  ],
  warnings: [{ row: 3, column: 'L', header: '所在党组织', rule: 'member.org_is_branch', message: '党员一般编入党支部（依据：《中国共产党党员教育管理工作条例》第二十五条）' }],
  errors_omitted: 0, warnings_omitted: 0, unknown_headers: [] }

describe('member import model', () => {
  it('checks the chosen file', () => {
    expect(checkFile(null)).toBe('请选择要导入的 Excel 文件')
    expect(checkFile({ name: 'a.xls', size: 10 })).toMatch(/仅支持 \.xlsx/)
    expect(checkFile({ name: 'a.XLSX', size: 0 })).toMatch(/空的/)
    expect(checkFile({ name: 'a.xlsx', size: 65 * 1024 * 1024 })).toBe('文件大小不能超过 64 MB')
    expect(checkFile({ name: '党员.xlsx', size: 1000 })).toBeNull()
    expect(fmtSize(1000)).toBe('1 KB'); expect(fmtSize(3 * 1024 * 1024)).toBe('3.0 MB')
  })
  it('splits the rule citation off the message', () => {
    expect(splitCitation('身份证号校验码错误（依据：《公民身份号码》（GB 11643-1999））')).toEqual({ text: '身份证号校验码错误', citation: '《公民身份号码》（GB 11643-1999）' })
    expect(splitCitation('姓名不能为空')).toEqual({ text: '姓名不能为空', citation: '' })
  })
  it('orders errors and warnings by row, errors first', () => {
    const rows = reportRows(REPORT)
    expect(rows.map((r) => [r.row, r.level, r.column])).toEqual([[3, 'error', 'E'], [3, 'warning', 'L'], [4, 'error', 'A']])
    expect(rows[0].citation).toBe('《公民身份号码》（GB 11643-1999）')
    expect(reportRows(null)).toEqual([])
  })
  it('summarizes written and rejected imports', () => {
    expect(summarize(REPORT)).toMatchObject({ type: 'error', written: false, title: '未导入任何数据：校验通过 2 行，失败 1 行' })
    expect(summarize(REPORT).detail).toMatch(/仅导入正确的行/)
    expect(summarize({ ...REPORT, written: true, mode: 'valid_only', created: 2 })).toMatchObject({ type: 'warning', title: '导入完成：成功 2 行，失败 1 行' })
    expect(summarize({ written: true, rows_ok: 5, rows_failed: 0, created: 4, updated: 1 })).toMatchObject({ type: 'success', detail: '新增党员 4 名，更新 1 名' })
  })
  it('progress text by phase', () => {
    expect(progressText(null)).toBe('正在上传文件…')
    expect(progressText({ status: 'queued', phase: 'queued' })).toBe('排队等待中')
    expect(progressText({ phase: 'validating', rows_done: 62000, rows_total: 100000 })).toBe('正在校验数据：已读取 62,000 行（约 100,000 行）')
    expect(progressText({ phase: 'writing', rows_done: 10, rows_ok: 20 })).toBe('正在写入数据：已写入 10 / 20 行')
  })
  it('writes the error report as CSV', () => {
    const csv = reportCsv(REPORT)
    const lines = csv.split('\r\n')
    expect(lines[0]).toBe('\ufeff行号,列,表头,类型,错误信息,依据,规则')
    expect(lines[1]).toBe('3,E,身份证号,错误,身份证号校验码错误,《公民身份号码》（GB 11643-1999）,member.id_number_valid')
    expect(lines[2]).toBe('3,L,所在党组织,提醒,党员一般编入党支部,《中国共产党党员教育管理工作条例》第二十五条,member.org_is_branch')
    expect(lines[3]).toBe('4,A,姓名,错误,姓名不能为空,,')
    expect(reportFileName(new Date(2026, 10, 3, 9, 5))).toBe('党员导入错误报告-20261103-0905.csv')
  })
})
