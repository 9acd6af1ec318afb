// The 党内统计 page's view-model against answers shaped like GET /api/v1/stats and
// /api/v1/stats/recruited (docs/api-stats.md).
import { describe, it, expect } from 'vitest'
import {
  summaryCards, groupCells, recruitCells, recruitCards, pieOption, barOption, drillRows, totalRow, recruitRows,
  crumbsAfterDrill, crumbsCut, failureView, pct, fmtPct, fmtInt, todayInChina, chinaTime, shortLabel,
} from '@/views/stats/model.js'
import { toApiError } from '@/api/errors.js'

const cells = (o) => ({ total: 0, male: 0, female: 0, minority: 0, college_plus: 0, full: 0, probationary: 0, ...o })
const STATS = {
  org: { org_id: 1, name: '中共临江市委员会', kind: 'committee', stats_kind: 'local' },
  as_of: '2026-11-23', data_as_of: '2026-11-23 11:15:13', version: 3,
  groups: [
    { key: 'total', label: '党员总数', cells: [{ key: 'total', label: '党员总数' }] },
    { key: 'gender', label: '性别', cells: [{ key: 'male', label: '男' }, { key: 'female', label: '女' }] },
    { key: 'education', label: '学历', cells: [{ key: 'edu_postgrad', label: '研究生' }, { key: 'edu_undergrad', label: '大学本科' }, { key: 'college_plus', label: '大专及以上' }] },
    { key: 'join_period', label: '入党时间', cells: [{ key: 'join_since_2012', label: '党的十八大以来入党' }] },
  ],
  row: { org_id: 1, name: '中共临江市委员会', stats_kind: 'local', active: true,
    cells: cells({ total: 200, male: 140, female: 60, minority: 15, edu_postgrad: 12, edu_undergrad: 57, college_plus: 110, full: 195, probationary: 5, age_le30: 20, join_since_2012: 70, org_branch: 9 }),
    percent: { female: 30.0, minority: 7.5, college_plus: 55.0 } },
  children: [
    { org_id: 2, name: '中共临江市直属机关工作委员会', kind: 'work_committee', stats_kind: 'other', active: true,
      cells: cells({ total: 150, female: 50, minority: 10, college_plus: 90, probationary: 3, org_committee: 2, org_branch: 7 }), percent: { female: 33.3, minority: 6.7, college_plus: 60.0 } },
    { org_id: 3, name: '某党支部', kind: 'branch', stats_kind: 'branch', active: true, cells: cells({}), percent: { female: null, minority: null, college_plus: null } },
  ],
}

describe('stats view-model', () => {
  it('summary cards: counts and the three shares', () => {
    const c = summaryCards(STATS)
    expect(c.map((x) => x.label)).toEqual(['党员总数', '预备党员', '女党员', '少数民族党员', '大专及以上学历'])
    expect(c.map((x) => x.value)).toEqual(['200', '5', '30.0%', '7.5%', '55.0%'])
    expect(c[1].note).toBe('占 2.5%')
    expect(summaryCards(null).map((x) => x.value)).toEqual(['—', '—', '—', '—', '—'])
  })
  it('chart series from the groups, leaving out the 大专及以上 aggregate', () => {
    expect(groupCells(STATS, 'gender')).toEqual([{ key: 'male', label: '男', value: 140 }, { key: 'female', label: '女', value: 60 }])
    expect(groupCells(STATS, 'education', ['college_plus']).map((c) => c.key)).toEqual(['edu_postgrad', 'edu_undergrad'])
    expect(groupCells(STATS, 'nope')).toEqual([])
    const pie = pieOption(groupCells(STATS, 'gender'))
    expect(pie.series[0].data).toEqual([{ name: '男', value: 140 }, { name: '女', value: 60 }])
    const bar = barOption(groupCells(STATS, 'join_period'), { horizontal: true })
    expect(bar.yAxis.data).toEqual(['十八大以来']) // short axis label
    expect(bar.series[0].data).toEqual([70])
    expect(bar.tooltip.formatter([{ dataIndex: 0, value: 70 }])).toBe('党的十八大以来入党：70 名')
    expect(barOption([{ label: '研究生', value: 1 }]).xAxis.data).toEqual(['研究生'])
    expect(shortLabel('男')).toBe('男')
  })
  it('drill-down rows and the 合计 row', () => {
    const rows = drillRows(STATS)
    expect(rows).toHaveLength(2)
    expect(rows[0]).toMatchObject({ org_id: 2, total: 150, probationary: 3, female_pct: 33.3, college_pct: 60.0, org_committee: 2, org_branch: 7 })
    expect(rows[1]).toMatchObject({ org_id: 3, total: 0, female_pct: null })
    expect(totalRow(STATS)).toMatchObject({ name: '合计：中共临江市委员会', total: 200, isTotal: true })
    expect(drillRows({})).toEqual([])
  })
  it('the breadcrumb follows drills and cuts', () => {
    let c = [{ org_id: 1, name: '市委' }]
    c = crumbsAfterDrill(c, { org_id: 5, name: '县委' })
    c = crumbsAfterDrill(c, { org_id: 9, name: '镇党委' })
    expect(c.map((x) => x.org_id)).toEqual([1, 5, 9])
    expect(crumbsAfterDrill(c, { org_id: 5, name: '县委' }).map((x) => x.org_id)).toEqual([1, 5])
    expect(crumbsCut(c, 0)).toEqual([{ org_id: 1, name: '市委' }])
  })
  it('recruits: groups from the flat cells, cards with 35岁及以下', () => {
    const rec = { year: 2025, cells: [{ key: 'total', label: '发展党员总数' }, { key: 'male', label: '男' }, { key: 'female', label: '女' },
      { key: 'edu_postgrad', label: '研究生' }, { key: 'college_plus', label: '大专及以上' }, { key: 'age_le30', label: '30岁及以下' },
      { key: 'age_le35', label: '35岁及以下' }, { key: 'occ_student', label: '学生' }],
    row: { cells: { total: 10, male: 6, female: 4, edu_postgrad: 2, college_plus: 7, age_le30: 9, age_le35: 10, occ_student: 5 }, percent: { female: 40, minority: 0, college_plus: 70, age_le35: 100 } },
    children: [{ org_id: 7, name: '甲', cells: { total: 4, female: 1, college_plus: 2, age_le35: 4 }, percent: {} }] }
    expect(recruitCells(rec, 'gender').map((c) => c.value)).toEqual([6, 4])
    expect(recruitCells(rec, 'education').map((c) => c.key)).toEqual(['edu_postgrad'])
    expect(recruitCells(rec, 'age').map((c) => c.key)).toEqual(['age_le30']) // 35岁及以下 overlaps the bands
    expect(recruitCells(rec, 'occupation').map((c) => c.key)).toEqual(['occ_student'])
    expect(recruitCards(rec).map((c) => c.value)).toEqual(['10', '40.0%', '0.0%', '70.0%', '100.0%'])
    expect(recruitRows(rec)[0]).toMatchObject({ org_id: 7, total: 4, female_pct: 25, college_pct: 50, age_le35_pct: 100 })
  })
  it('percent and number formats', () => {
    expect(pct(1, 3)).toBe(33.3); expect(pct(2, 3)).toBe(66.7); expect(pct(1, 0)).toBeNull()
    expect(fmtPct(null)).toBe('—'); expect(fmtPct(7)).toBe('7.0%'); expect(fmtInt(20002)).toBe('20,002')
  })
  it('dates in China time', () => {
    expect(todayInChina(new Date('2026-11-23T17:00:00Z'))).toBe('2026-11-24')
    expect(todayInChina(new Date('2026-11-23T15:59:59Z'))).toBe('2026-11-23')
    expect(chinaTime('2026-11-23 11:15:13')).toBe('2026-11-23 19:15:13')
    expect(chinaTime('2026-12-31 20:00:00')).toBe('2027-01-01 04:00:00')
    expect(chinaTime(null)).toBe('—')
  })
  it('failures: 503 is "still generating" and retried; 404 is out of scope', () => {
    const busy = failureView(toApiError(503, { code: 'stats_not_ready', message: '统计数据正在生成，请稍后重试' }))
    expect(busy).toMatchObject({ kind: 'busy', title: '统计数据正在生成', retry: true })
    expect(failureView(toApiError(404, { code: 'not_found', message: '对象不存在或不在您的管理范围内' }))).toMatchObject({ kind: 'scope', retry: false })
    expect(failureView(toApiError(0, null)).kind).toBe('network')
    expect(failureView(toApiError(500, null))).toMatchObject({ kind: 'error', message: '服务器内部错误，请稍后重试或联系管理员' })
    expect(failureView(null)).toBeNull()
  })
})
