// The member import dialog's pure logic: the file check, the job's progress text, the report's
// summary and rows, and the CSV error report. Unit-tested in web/tests/import-model.test.js.
import { toCsv } from '@/utils/csv.js'

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
export const MAX_FILE_MB = 64 // the server's upload_max default (413 beyond)
export const MAX_ROWS = 200000

// null when the file can be sent, else the reason in Chinese
export function checkFile(file, maxMb = MAX_FILE_MB) {
  if (!file) return '请选择要导入的 Excel 文件'
  if (!/\.xlsx$/i.test(file.name || '')) return '仅支持 .xlsx 格式的 Excel 文件（.xls 请先另存为 .xlsx）'
  if (!file.size) return '文件是空的，请重新选择'
  if (file.size > maxMb * 1024 * 1024) return `文件大小不能超过 ${maxMb} MB`
  return null
}

export const fmtSize = (n) => (n >= 1024 * 1024 ? (n / 1024 / 1024).toFixed(1) + ' MB' : Math.max(1, Math.round(n / 1024)) + ' KB')

// "…（依据：《…》…）" → { text, citation }
export function splitCitation(message) {
  const m = /^([\s\S]*?)[（(]依据：([\s\S]+)[）)]\s*$/.exec(message || '')
  return m ? { text: m[1].trim(), citation: m[2].trim() } : { text: message || '', citation: '' }
}

const PHASE = { queued: '排队等待中', validating: '正在校验数据', writing: '正在写入数据', finished: '已完成' }
export function progressText(job) {
  if (!job) return '正在上传文件…'
  const n = (v) => Number(v || 0).toLocaleString('zh-CN')
  const phase = PHASE[job.phase] || PHASE[job.status] || '正在处理'
  if (job.phase === 'validating') return `${phase}：已读取 ${n(job.rows_done)} 行（约 ${n(job.rows_total)} 行）`
  if (job.phase === 'writing') return `${phase}：已写入 ${n(job.rows_done)} / ${n(job.rows_ok)} 行`
  if (job.phase === 'finished') return `${phase}：共 ${n(job.rows_total)} 行`
  return phase
}

// The report's errors and warnings as table rows, by row number.
export function reportRows(report) {
  if (!report) return []
  const one = (level) => (e) => {
    const { text, citation } = splitCitation(e.message)
    return { row: e.row ?? null, column: e.column || '', header: e.header || '', field: e.field || '', rule: e.rule || '', level, message: e.message || '', text, citation }
  }
  const rows = [...(report.errors || []).map(one('error')), ...(report.warnings || []).map(one('warning'))]
  return rows.sort((a, b) => (a.row ?? 0) - (b.row ?? 0) || (a.level === b.level ? 0 : a.level === 'error' ? -1 : 1))
}

export function summarize(report) {
  if (!report) return null
  const created = report.created || 0, updated = report.updated || 0
  const ok = report.rows_ok || 0, failed = report.rows_failed || 0, total = report.rows_total || 0
  if (report.written) {
    return {
      type: failed ? 'warning' : 'success', written: true,
      title: `导入完成：成功 ${ok} 行，失败 ${failed} 行`,
      detail: `新增党员 ${created} 名，更新 ${updated} 名` + (failed ? '；失败的行未导入，请按错误清单修改后重新导入这些行' : ''),
    }
  }
  return {
    type: 'error', written: false,
    title: `未导入任何数据：校验通过 ${ok} 行，失败 ${failed} 行`,
    detail: report.mode === 'all_or_nothing' && ok
      ? `共 ${total} 行，“全部正确才导入”方式下有错误时不导入任何行；请按错误清单修改后重新导入，或改用“仅导入正确的行”`
      : `共 ${total} 行，没有可导入的数据；请按错误清单修改后重新导入`,
  }
}

const LEVEL = { error: '错误', warning: '提醒' }
export function reportCsv(report) {
  return toCsv(reportRows(report), [
    { label: '行号', value: (r) => r.row ?? '' },
    { label: '列', value: (r) => r.column },
    { label: '表头', value: (r) => r.header },
    { label: '类型', value: (r) => LEVEL[r.level] },
    { label: '错误信息', value: (r) => r.text },
    { label: '依据', value: (r) => r.citation },
    { label: '规则', value: (r) => r.rule },
  ])
}

export function reportFileName(now = new Date()) {
  const p = (n) => String(n).padStart(2, '0')
  return `党员导入错误报告-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}.csv`
}
