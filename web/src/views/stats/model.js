// The 党内统计 page's view-model: pure functions from the /api/v1/stats and /stats/recruited
// answers (docs/api-stats.md) to the summary cards, the chart series and the drill-down rows.
// No Vue, no ECharts: unit-tested in web/tests/stats-model.test.js.

export const fmtInt = (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('zh-CN'))
export const fmtPct = (p) => (p === null || p === undefined ? '—' : Number(p).toFixed(1) + '%')

// share of total in percent, one decimal, half up; null when the total is 0
export function pct(part, total) {
  if (!total) return null
  return Math.round((part * 1000) / total) / 10
}

export function todayInChina(now = new Date()) {
  // the server's default as_of is "today, China time" (UTC+8, no daylight saving)
  const d = new Date(now.getTime() + 8 * 3600 * 1000)
  return d.toISOString().slice(0, 10)
}

// The summary cards of the 党员队伍 tab.
export function summaryCards(stats) {
  const c = stats?.row?.cells || {}
  const p = stats?.row?.percent || {}
  const total = c.total ?? null
  return [
    { key: 'total', label: '党员总数', value: fmtInt(total), note: `正式党员 ${fmtInt(c.full)} 名` },
    { key: 'probationary', label: '预备党员', value: fmtInt(c.probationary), note: total ? `占 ${fmtPct(pct(c.probationary, total))}` : '' },
    { key: 'female', label: '女党员', value: fmtPct(p.female), note: `${fmtInt(c.female)} 名` },
    { key: 'minority', label: '少数民族党员', value: fmtPct(p.minority), note: `${fmtInt(c.minority)} 名` },
    { key: 'college_plus', label: '大专及以上学历', value: fmtPct(p.college_plus), note: `${fmtInt(c.college_plus)} 名` },
  ]
}

// The cells of a group of the answer's `groups`, with their counts: [{ key, label, value }].
// `exclude` drops aggregate cells (学历's 大专及以上, which overlaps the five categories).
export function groupCells(stats, groupKey, exclude = []) {
  const g = (stats?.groups || []).find((x) => x.key === groupKey)
  const cells = stats?.row?.cells || {}
  if (!g) return []
  return g.cells.filter((c) => !exclude.includes(c.key)).map((c) => ({ key: c.key, label: c.label, value: cells[c.key] ?? 0 }))
}

// The recruits answer has a flat `cells` list; its groups are the key prefixes.
const RECRUIT_GROUPS = {
  gender: (k) => k === 'male' || k === 'female',
  education: (k) => k.startsWith('edu_'),
  age: (k) => k.startsWith('age_') && k !== 'age_le35',
  occupation: (k) => k.startsWith('occ_'),
}
export function recruitCells(rec, groupKey) {
  const pick = RECRUIT_GROUPS[groupKey]
  const cells = rec?.row?.cells || {}
  if (!pick) return []
  return (rec?.cells || []).filter((c) => pick(c.key)).map((c) => ({ key: c.key, label: c.label, value: cells[c.key] ?? 0 }))
}

export function recruitCards(rec) {
  const c = rec?.row?.cells || {}
  const p = rec?.row?.percent || {}
  return [
    { key: 'total', label: '发展党员总数', value: fmtInt(c.total ?? null), note: `${rec?.year ?? ''} 年度` },
    { key: 'female', label: '女性', value: fmtPct(p.female), note: `${fmtInt(c.female)} 名` },
    { key: 'minority', label: '少数民族', value: fmtPct(p.minority), note: `${fmtInt(c.minority)} 名` },
    { key: 'college_plus', label: '大专及以上学历', value: fmtPct(p.college_plus), note: `${fmtInt(c.college_plus)} 名` },
    { key: 'age_le35', label: '35岁及以下', value: fmtPct(p.age_le35), note: `${fmtInt(c.age_le35)} 名` },
  ]
}

// Labels long enough to crowd an axis are shortened for the axis (the tooltip keeps the full one).
const SHORT = {
  '1949年10月以前入党': '1949.10前',
  '1949年10月至党的十一届三中全会入党': '1949.10—十一届三中全会',
  '党的十一届三中全会至党的十八大入党': '十一届三中全会—十八大',
  '党的十八大以来入党': '十八大以来',
  '工人（工勤技能人员）': '工人',
  '企事业单位、社会组织专业技术人员': '专业技术人员',
  '企事业单位、社会组织管理人员': '管理人员',
  '党政机关工作人员': '党政机关',
}
export const shortLabel = (s) => SHORT[s] || s

// ECharts options. `animation: false` keeps screenshots and tests deterministic.
const RED = ['#c8161d', '#e0620d', '#d4a017', '#6b8e23', '#2f7ea8', '#7a5195', '#909399', '#b5651d']
export function pieOption(cells) {
  return {
    animation: false, color: ['#2f7ea8', '#c8161d', ...RED],
    tooltip: { trigger: 'item', formatter: '{b}：{c} 名（{d}%）' }, legend: { bottom: 0 },
    series: [{ type: 'pie', radius: ['38%', '66%'], center: ['50%', '45%'], label: { formatter: '{b}\n{d}%' },
      data: cells.map((c) => ({ name: c.label, value: c.value })) }],
  }
}
export function barOption(cells, { horizontal = false, color = '#c8161d' } = {}) {
  const cat = { type: 'category', data: cells.map((c) => shortLabel(c.label)), axisLabel: { interval: 0 } }
  const val = { type: 'value', minInterval: 1 }
  return {
    animation: false,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: (ps) => { const p = ps[0]; return `${cells[p.dataIndex].label}：${fmtInt(p.value)} 名` } },
    grid: horizontal ? { left: 8, right: 40, top: 10, bottom: 10, containLabel: true } : { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
    xAxis: horizontal ? val : { ...cat, axisLabel: { interval: 0, rotate: cells.length > 4 ? 30 : 0 } },
    yAxis: horizontal ? { ...cat, inverse: true } : val,
    series: [{ type: 'bar', data: cells.map((c) => c.value), barMaxWidth: 32, itemStyle: { color },
      label: { show: true, position: horizontal ? 'right' : 'top', fontSize: 11 } }],
  }
}

// The drill-down table's rows (the current org's children) and its 合计 row.
export function drillRow(r) {
  const c = r.cells || {}
  const p = r.percent || {}
  return {
    org_id: r.org_id, name: r.name, kind: r.kind, stats_kind: r.stats_kind, active: r.active !== false,
    total: c.total ?? 0, probationary: c.probationary ?? 0,
    female_pct: p.female ?? pct(c.female, c.total), minority_pct: p.minority ?? pct(c.minority, c.total),
    college_pct: p.college_plus ?? pct(c.college_plus, c.total),
    age_le30: c.age_le30 ?? 0, age_ge61: c.age_ge61 ?? 0,
    org_committee: c.org_committee ?? 0, org_general_branch: c.org_general_branch ?? 0, org_branch: c.org_branch ?? 0,
  }
}
export function drillRows(stats) { return (stats?.children || []).map(drillRow) }
export function totalRow(stats) { return stats?.row ? { ...drillRow(stats.row), name: '合计：' + stats.row.name, isTotal: true } : null }

export function recruitRow(r) {
  const c = r.cells || {}
  const p = r.percent || {}
  return {
    org_id: r.org_id, name: r.name, stats_kind: r.stats_kind, total: c.total ?? 0,
    female_pct: p.female ?? pct(c.female, c.total), minority_pct: p.minority ?? pct(c.minority, c.total),
    college_pct: p.college_plus ?? pct(c.college_plus, c.total), age_le35_pct: p.age_le35 ?? pct(c.age_le35, c.total),
  }
}
export function recruitRows(rec) { return (rec?.children || []).map(recruitRow) }

// The breadcrumb: the path of orgs from the account's scope root down to the shown org.
export function crumbsAfterDrill(crumbs, org) {
  const i = crumbs.findIndex((c) => c.org_id === org.org_id)
  if (i >= 0) return crumbs.slice(0, i + 1)
  return [...crumbs, { org_id: org.org_id, name: org.name }]
}
export function crumbsCut(crumbs, index) { return crumbs.slice(0, index + 1) }

// What the page says about a failed request: a 503 "still generating" is worth retrying.
export function failureView(err) {
  if (!err) return null
  if (err.status === 503) return { kind: 'busy', title: '统计数据正在生成', message: '统计数据正在生成，请稍后重试', retry: true }
  if (err.status === 404) return { kind: 'scope', title: '无法查看该党组织的统计', message: '请求的党组织不存在或不在您的管理范围内', retry: false }
  if (err.status === 0) return { kind: 'network', title: '网络连接失败', message: err.message, retry: true }
  return { kind: 'error', title: '统计数据加载失败', message: err.message || '统计数据加载失败，请稍后重试', retry: true }
}

// data_as_of is UTC ("YYYY-MM-DD HH:MM:SS"); users read China time (UTC+8).
export function chinaTime(utc) {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(utc || '')
  if (!m) return utc || '—'
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) + 8 * 3600 * 1000
  return new Date(t).toISOString().slice(0, 19).replace('T', ' ')
}
