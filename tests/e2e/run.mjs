// End-to-end tests of the web UI: the real zugong server on a temporary demo database, driven
// by Debian's Chromium (headless) through playwright-core. Fails on any console error or page
// error. Screenshots (1366×768 and 1920×1080) go to tests/e2e/screenshots/ (not committed).
// Usage: node tests/e2e/run.mjs   (env: ZG_BIN=build/zugong, CHROMIUM=/usr/bin/chromium)
import { spawn, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { mkdtempSync, mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import assert from 'node:assert/strict'
import { makeXlsx, xlsxHeaders, idNumber } from './xlsx.mjs'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const require = createRequire(join(ROOT, 'web', 'package.json'))
const { chromium } = require('playwright-core')
const BIN = process.env.ZG_BIN || join(ROOT, 'build', 'zugong')
const WEB = join(ROOT, 'web', 'dist')
const SHOTS = join(ROOT, 'tests', 'e2e', 'screenshots')
const PASSWORD = 'Demo-Pass-2025'
const T = 15000

if (!existsSync(BIN)) { console.error(`e2e: ${BIN} not found (build first)`); process.exit(1) }
if (!existsSync(join(WEB, 'index.html'))) { console.error('e2e: web/dist missing (bash scripts/web.sh)'); process.exit(1) }
rmSync(SHOTS, { recursive: true, force: true }) // only this run's pictures, failures included
mkdirSync(SHOTS, { recursive: true })
const tmp = mkdtempSync(join(tmpdir(), 'zugong-e2e-'))
const db = join(tmp, 'e2e.db')
const env = { ...process.env, ZUGONG_ADMIN_PASSWORD: PASSWORD }
const demo = spawnSync(BIN, ['demo', '--db', db], { env, encoding: 'utf8' })
if (demo.status !== 0) { console.error('e2e: zugong demo failed\n' + demo.stderr); process.exit(1) }
const portFile = join(tmp, 'port')
const server = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--port-file', portFile, '--web-dir', WEB, '--access-log', 'false'], { env, stdio: ['ignore', 'ignore', 'pipe'] })
let serverErr = ''
server.stderr.on('data', (d) => { serverErr += d })
let browser
async function cleanup() {
  try { await browser?.close() } catch {}
  if (server.exitCode === null) { server.kill('SIGTERM'); await new Promise((r) => { server.once('exit', r); setTimeout(r, 5000) }) }
  rmSync(tmp, { recursive: true, force: true })
}

async function waitPort() {
  for (let i = 0; i < 200; i++) {
    if (server.exitCode !== null) throw new Error('server exited: ' + serverErr)
    if (existsSync(portFile)) { const p = readFileSync(portFile, 'utf8').trim(); if (p) return Number(p) }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('server did not start: ' + serverErr)
}

// The statistics snapshot is built in the background after the server starts; until then the
// API answers 503 stats_not_ready (the UI copes, but the browser logs the 503 as a console error).
async function statsReady() {
  const login = await fetch(base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'city', password: PASSWORD }) })
  const { token } = await login.json()
  const H = { Authorization: 'Bearer ' + token }
  try {
    for (let i = 0; i < 300; i++) {
      const r = await fetch(base + '/api/v1/stats', { headers: H })
      await r.arrayBuffer()
      if (r.ok) return
      if (r.status !== 503) throw new Error(`GET /api/v1/stats: ${r.status}`)
      await new Promise((res) => setTimeout(res, 100))
    }
    throw new Error('statistics not ready after 30 s')
  } finally { await fetch(base + '/api/v1/auth/logout', { method: 'POST', headers: H }).catch(() => {}) }
}

const results = []
const problems = [] // console errors and page errors
let allowStatuses = new Set()
async function step(name, fn) {
  const t0 = Date.now()
  try { await fn(); results.push({ name, ok: true }); console.log(`  ok   ${name} (${Date.now() - t0} ms)`) }
  catch (e) { results.push({ name, ok: false }); console.log(`  FAIL ${name}: ${e.message.split('\n').slice(0, 6).join('\n       ')}`); if (page) await page.screenshot({ path: join(SHOTS, 'FAIL-' + name.replace(/[^\w\u4e00-\u9fff]+/g, '_') + '.png') }).catch(() => {}) }
}
const httpErrors = [] // every API answer ≥ 400, printed when something failed
function watch(p) {
  p.on('response', (r) => { if (r.status() >= 400) httpErrors.push(`${r.status()} ${r.request().method()} ${r.url()} (page ${p.url()})`) })
  p.on('console', (m) => {
    if (m.type() !== 'error') return
    const s = /status of (\d{3})/.exec(m.text())
    if (s && allowStatuses.has(Number(s[1]))) return
    problems.push(`console error on ${p.url()}: ${m.text()}`)
  })
  p.on('pageerror', (e) => problems.push(`page error on ${p.url()}: ${e.message}`))
}
async function expecting(statuses, fn) { allowStatuses = new Set(statuses); try { await fn() } finally { allowStatuses = new Set() } }

let base, ctx, page
const visible = (sel) => page.locator(sel).filter({ visible: true })
const dialog = () => visible('.el-dialog')
async function shot(name) {
  await page.screenshot({ path: join(SHOTS, `${name}-1366x768.png`) })
  await page.setViewportSize({ width: 1920, height: 1080 })
  await page.waitForTimeout(150) // let layout (and charts) follow the resize before the picture
  await page.screenshot({ path: join(SHOTS, `${name}-1920x1080.png`) })
  await page.setViewportSize({ width: 1366, height: 768 })
}
async function login(user, expectPath) {
  if (!page.url().includes('/login')) await page.goto(base + '/login')
  await page.locator('input[name=username]').fill(user)
  await page.locator('input[name=password]').fill(PASSWORD)
  await page.getByRole('button', { name: '登 录' }).click()
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: T })
  if (expectPath) assert.equal(new URL(page.url()).pathname, expectPath)
}
async function logout() {
  await page.locator('[data-test=user-menu]').click()
  await visible('.el-dropdown-menu__item').filter({ hasText: '退出登录' }).click()
  await visible('.el-message-box').getByRole('button', { name: '退出' }).click()
  await page.waitForURL((u) => u.pathname === '/login', { timeout: T })
}
async function menu(title, path) {
  await visible('.el-menu-item').filter({ hasText: title }).first().click()
  await page.waitForURL((u) => u.pathname === path, { timeout: T })
}
async function menuTitles() {
  await visible('.el-menu').first().waitFor()
  return (await page.locator('.el-aside .el-menu:not(.el-menu--inline) > li').allInnerTexts()).map((s) => s.trim().split('\n')[0].trim())
}
async function pickOption(text) {
  await visible('.el-select-dropdown__item').filter({ hasText: text }).first().click()
}
async function fillDate(testId, value) {
  const input = page.locator(`input[data-test=${testId}], [data-test=${testId}] input`).first()
  await input.click(); await input.fill(value); await input.press('Enter')
}

try {
  const port = await waitPort()
  base = `http://127.0.0.1:${port}`
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // launch() always starts from a fresh temporary profile (it refuses --user-data-dir)
  })
  console.log(`e2e: server ${base}, chromium ${browser.version()}`)
  await statsReady()

  await step('login page first load ≤ 1 MB gzip', async () => {
    const c = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' })
    const p = await c.newPage(); watch(p)
    await p.goto(base + '/login', { waitUntil: 'networkidle' })
    await p.getByRole('button', { name: '登 录' }).waitFor()
    const bytes = await p.evaluate(() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).reduce((a, e) => a + (e.transferSize || 0), 0))
    const enc = await p.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.js')).map((e) => e.encodedBodySize < e.decodedBodySize).every(Boolean))
    console.log(`       login page transferred ${(bytes / 1024).toFixed(1)} KiB (gzip served: ${enc})`)
    assert.ok(bytes > 0 && bytes <= 1024 * 1024, `transferred ${bytes} bytes`)
    assert.ok(enc, 'scripts were not served gzip-compressed')
    await c.close()
  })

  ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  ctx.setDefaultTimeout(T)
  page = await ctx.newPage(); watch(page)

  await step('no session: a page sends to login and back after login', async () => {
    await expecting([401], async () => {
      await page.goto(base + '/org')
      await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('redirect') === '/org')
    })
    await page.getByText('党组织工作综合管理平台').waitFor()
    await shot('01-login')
    await login('city', '/org')
    await visible('[data-test=org-table]').getByText('中共临江市委员会').first().waitFor()
  })

  await step('city: menu by permissions, home with counts and chart', async () => {
    assert.deepEqual(await menuTitles(), ['首页', '组织管理', '党员管理', '组织关系转接', '党内统计'])
    await page.getByText('中共临江市委员会').first().waitFor() // the top bar's org
    const statsCalls = []
    const onReq = (r) => { if (new URL(r.url()).pathname.startsWith('/api/v1/')) statsCalls.push(new URL(r.url()).pathname) }
    page.on('request', onReq)
    await menu('首页', '/home')
    await page.locator('[data-test=chart-kinds] canvas').waitFor()
    await page.locator('[data-test=stat-orgs] .value').filter({ hasText: /\d/ }).waitFor()
    await page.locator('[data-test=stat-members] .value').filter({ hasText: /\d/ }).waitFor()
    page.off('request', onReq)
    // with stats:read the counts come from one GET /stats (党内统计口径), not a request per org kind
    const s = await (await page.request.get(base + '/api/v1/stats')).json()
    const num = async (k) => Number((await page.locator(`[data-test=stat-${k}] .value`).innerText()).replace(/\D/g, ''))
    assert.equal(await num('orgs'), s.orgs.by_kind.reduce((a, k) => a + k.count, 0))
    assert.equal(await num('branches'), s.row.cells.org_branch)
    assert.equal(await num('members'), 20000)
    assert.deepEqual(statsCalls.filter((u) => u === '/api/v1/orgs'), [])
    assert.ok(statsCalls.includes('/api/v1/stats'))
    await shot('02-home')
  })

  await step('city: create an org and see its rule finding with citation', async () => {
    await menu('组织管理', '/org')
    await visible('[data-test=org-table]').getByText('中共临江市委员会').first().waitFor()
    await page.locator('[data-test=org-add]').click()
    await dialog().getByText('新增党组织').waitFor()
    await dialog().locator('[data-test=org-kind]').click()
    await pickOption('联合党支部')
    await page.locator('input[data-test=org-name]').fill('临江市E2E测试联合党支部')
    await page.locator('[data-test=org-units] input').fill('6')
    await page.locator('[data-test=org-units] input').press('Tab')
    await page.locator('[data-test=org-save]').click()
    await dialog().getByText('联合党支部覆盖的单位一般不超过5个').waitFor()
    await dialog().getByText('《中国共产党支部工作条例（试行）》第五条').waitFor()
    await shot('03-org-finding')
    await dialog().getByRole('button', { name: '关 闭' }).click()
    await shot('04-org')
    // the org exists: the search finds it
    await page.locator('input[data-test=org-q]').fill('E2E测试')
    await page.getByRole('button', { name: '搜索' }).click()
    await visible('[data-test=org-search-table]').getByText('临江市E2E测试联合党支部').waitFor()
    await page.locator('input[data-test=org-q]').fill('LJ-04-03-03')
    await page.getByRole('button', { name: '搜索' }).click()
    await visible('[data-test=org-search-table] .el-table__row').first().waitFor()
  })

  await step('city: register a member and see the findings with citations', async () => {
    await menu('党员管理', '/member')
    await page.locator('[data-test=org-tree]').getByText('临江市委').first().waitFor()
    await visible('.el-pagination__total').filter({ hasText: /共 [\d,]+ 条/ }).first().waitFor()
    await page.locator('[data-test=member-add]').click()
    await dialog().getByText('新增党员').waitFor()
    await page.locator('input[data-test=m-name]').fill('张测试')
    await dialog().locator('.el-radio').filter({ hasText: '男' }).click()
    await page.locator('input[data-test=m-idno]').fill('110101199001010015')
    await fillDate('m-birth', '1990-01-01')
    await fillDate('m-joined', '2015-07-01')
    await fillDate('m-converted', '2018-07-01')
    await dialog().getByText('新增党员').click()
    await page.locator('[data-test=member-save]').click()
    await dialog().getByText('党员一般编入党支部').waitFor()
    await dialog().getByText('依据：《中国共产党党员教育管理工作条例》第二十五条').waitFor()
    await dialog().getByText('转正日期（2018-07-01）晚于入党两年后').waitFor()
    await shot('05-member-finding')
    await dialog().getByRole('button', { name: '关 闭' }).click()
    await page.locator('input[data-test=member-q]').fill('张测试')
    await page.getByRole('button', { name: '搜索' }).click()
    const row = visible('[data-test=member-table] .el-table__row').filter({ hasText: '张测试' })
    await row.waitFor()
    assert.match(await row.innerText(), /110101199001010015/) // city holds member:read_pii
    await row.getByRole('button', { name: '详情' }).click()
    await visible('[data-test=member-events]').getByText('入党（接收为预备党员）').waitFor()
    await visible('[data-test=member-events]').getByText('转为正式党员').waitFor()
    await shot('06-member-detail')
    await page.keyboard.press('Escape')
    await visible('.el-drawer').waitFor({ state: 'hidden' })
    await shot('07-members')
  })

  await step('city: transfer the member to 凤坪村党支部 and accept it', async () => {
    const row = visible('[data-test=member-table] .el-table__row').filter({ hasText: '张测试' })
    await row.getByRole('button', { name: '转接' }).click()
    await dialog().getByText('办理组织关系转接').waitFor()
    await dialog().locator('[data-test=t-receiver]').click()
    await page.keyboard.type('凤坪村')
    await pickOption('凤坪村')
    await page.locator('input[data-test=t-reason]').fill('工作调动')
    await page.locator('[data-test=transfer-save]').click()
    // a pending transfer always carries transfer.sender_responsible (info) with its citation
    await dialog().getByText('依据：').first().waitFor()
    await dialog().getByRole('button', { name: '关 闭' }).click()
    await menu('组织关系转接', '/transfer')
    const t = visible('[data-test=transfer-table] .el-table__row').filter({ hasText: '张测试' })
    await t.filter({ hasText: '办理中' }).waitFor()
    await shot('08-transfer')
    await page.getByRole('tab', { name: '转入' }).click()
    await t.getByRole('button', { name: '接收' }).click()
    await visible('.el-message-box').getByRole('button', { name: '接收' }).click()
    await t.filter({ hasText: '已接收' }).waitFor()
  })

  await step('city: import members — one bad row rejects the file, the error is listed; a good file imports', async () => {
    await menu('党员管理', '/member')
    await visible('.el-pagination__total').filter({ hasText: /共 [\d,]+ 条/ }).first().waitFor()
    await page.locator('[data-test=member-import]').click()
    await dialog().getByText('导入党员信息').waitFor()
    // the template through the dialog's link; its header row names the columns of the test files
    const [tpl] = await Promise.all([page.waitForEvent('download'), dialog().locator('[data-test=import-template]').click()])
    const heads = xlsxHeaders(readFileSync(await tpl.path()))
    for (const h of ['姓名', '性别', '出生日期', '身份证号', '入党日期']) assert.ok(heads.includes(h), `template lacks ${h}: ${heads}`)
    const orgCol = heads.find((h) => h.startsWith('所在党组织'))
    const row = (o) => heads.map((h) => o[h === orgCol ? 'org' : h] ?? '')
    const person = (name, sex, birth, seq) => ({ '姓名': name, '性别': sex, '民族': '汉族', '出生日期': birth,
      '身份证号': idNumber('110101' + birth.replace(/-/g, '') + seq), org: 'LJ-04-03-03', '党员状态': '正式党员',
      '入党日期': '2012-06-01', '转正日期': '2013-06-01' })
    const a = person('导入测试甲', '男', '1988-03-05', '011'), b = person('导入测试乙', '女', '1986-11-20', '022')
    const badId = b['身份证号'].slice(0, 17) + (b['身份证号'][17] === '0' ? '1' : '0') // a wrong check digit
    const xlsxFile = (name, rows) => ({ name, mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: makeXlsx([heads, ...rows.map(row)]) })
    // 1. all-or-nothing with one bad row (row 3): nothing is written, the row is reported
    await dialog().locator('input[type=file]').setInputFiles(xlsxFile('党员导入-有错误.xlsx', [a, { ...b, '身份证号': badId }]))
    await dialog().getByText('党员导入-有错误.xlsx').waitFor()
    await shot('14-member-import-dialog')
    await dialog().locator('[data-test=import-start]').click()
    await dialog().locator('[data-test=import-summary]').getByText('未导入任何数据：校验通过 1 行，失败 1 行').waitFor()
    const err = dialog().locator('[data-test=import-errors] .el-table__row')
    assert.equal(await err.count(), 1)
    const errText = await err.first().innerText()
    assert.match(errText, /^3\s/); assert.match(errText, /E（身份证号）/)
    assert.match(errText, /校验码/); assert.match(errText, /依据：《公民身份号码》（GB 11643-1999）/)
    await shot('14-member-import-errors')
    const [csv] = await Promise.all([page.waitForEvent('download'), dialog().locator('[data-test=import-error-csv]').click()])
    assert.match(csv.suggestedFilename(), /^党员导入错误报告-\d{8}-\d{4}\.csv$/)
    const csvText = readFileSync(await csv.path(), 'utf8')
    assert.ok(csvText.startsWith('\ufeff行号,列,表头,类型,错误信息,依据,规则\r\n'), csvText.slice(0, 80))
    assert.match(csvText, /\r\n3,E,身份证号,错误,[^\r\n]*校验码[^\r\n]*,《公民身份号码》（GB 11643-1999）,member\.id_number_valid\r\n/)
    // nothing was imported
    const imported = async () => (await (await page.request.get(base + '/api/v1/members?q=' + encodeURIComponent('导入测试') + '&status=all')).json()).total
    assert.equal(await imported(), 0)
    // 2. the corrected file: both rows written, success message, the list shows them
    await dialog().locator('[data-test=import-again]').click()
    await dialog().locator('input[type=file]').setInputFiles(xlsxFile('党员导入.xlsx', [a, b]))
    await dialog().locator('[data-test=import-start]').click()
    await dialog().locator('[data-test=import-summary]').getByText('导入完成：成功 2 行，失败 0 行').waitFor()
    await visible('.el-message--success').filter({ hasText: '导入成功：新增 2 名' }).waitFor()
    assert.equal(await dialog().locator('[data-test=import-errors]').count(), 0)
    await shot('15-member-import-done')
    await dialog().getByRole('button', { name: '关 闭' }).click()
    await visible('[data-test=import-dialog]').waitFor({ state: 'hidden' })
    assert.equal(await imported(), 2)
    await page.locator('input[data-test=member-q]').fill('导入测试')
    await page.getByRole('button', { name: '搜索' }).click()
    await visible('[data-test=member-table] .el-table__row').filter({ hasText: '导入测试乙' }).waitFor()
    assert.equal(await visible('[data-test=member-table] .el-table__row').count(), 2)
    await page.getByRole('button', { name: '重置' }).click()
  })

  await step('city: export the member list as Excel', async () => {
    // 预备党员 only: a few hundred rows keep the export quick
    await visible('.search-form .el-form-item').filter({ hasText: '党员状态' }).locator('.el-select').click()
    await pickOption('预备党员')
    await page.getByRole('button', { name: '搜索' }).click()
    await visible('.el-pagination__total').filter({ hasText: /共 [\d,]+ 条/ }).first().waitFor()
    await page.locator('[data-test=member-export]').hover()
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), visible('.el-dropdown-menu__item').filter({ hasText: '导出 Excel' }).click()])
    const buf = readFileSync(await dl.path())
    assert.equal(buf.subarray(0, 2).toString('latin1'), 'PK')
    assert.ok(buf.length > 10000, `export is ${buf.length} bytes`)
    assert.match(dl.suggestedFilename(), /\.xlsx$/)
    await page.getByRole('button', { name: '重置' }).click()
  })

  await step('city: 党内统计 — cards, charts, drill-down table, export, 发展党员', async () => {
    // the first answer is "still generating" (503): a friendly message, then an automatic retry
    const STATS_RE = /\/api\/v1\/stats(\?|$)/
    let busy = 1
    await page.route(STATS_RE, (r) => (busy-- > 0
      ? r.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ code: 'stats_not_ready', message: '统计数据正在生成，请稍后重试', fields: {} }) })
      : r.continue()))
    const table = visible('[data-test=stats-table]')
    await expecting([503], async () => {
      await menu('党内统计', '/stats')
      await page.locator('[data-test=stats-failure]').getByText('统计数据正在生成').first().waitFor()
      await page.locator('[data-test=stats-failure]').getByText(/\d 秒后自动重试/).waitFor()
      await table.getByText('中共临江市青山县委员会').waitFor()
    })
    await page.unroute(STATS_RE)
    assert.ok(await table.locator('.el-table__body .el-table__row').count() >= 5)
    assert.equal(await page.locator('[data-test=stats-charts] canvas').count(), 5)
    const all = await (await page.request.get(base + '/api/v1/stats')).json()
    assert.ok(all.row.cells.total >= 20002, `total ${all.row.cells.total}`) // 20,000 + the registered + the two imported
    await page.locator('[data-test=stats-card-total] .value').filter({ hasText: all.row.cells.total.toLocaleString('en-US') }).waitFor()
    await page.locator('[data-test=stats-card-female] .value').filter({ hasText: /^\d+\.\d%$/ }).waitFor()
    await page.locator('[data-test=stats-data-time]').filter({ hasText: /数据时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}（版本 \d+）/ }).waitFor()
    await table.locator('.el-table__footer').getByText('合计（含本级）').first().waitFor()
    await shot('16-stats')
    // drill into 青山县 and come back up through the breadcrumb
    await table.locator('.el-table__row').filter({ hasText: '中共临江市青山县委员会' }).first().click()
    await page.locator('[data-test=stats-crumbs]').getByText('中共临江市青山县委员会').waitFor()
    await table.getByText('中共临江市青山县石桥镇委员会').waitFor()
    await table.locator('.el-table__row').filter({ hasText: '中共临江市青山县石桥镇委员会' }).first().click()
    await table.getByText('中共青山县石桥镇青庄村支部委员会').waitFor()
    assert.deepEqual((await page.locator('[data-test=stats-crumbs] .el-breadcrumb__item').allInnerTexts()).map((t) => t.replace('/', '').trim()),
      ['中共临江市委员会', '中共临江市青山县委员会', '中共临江市青山县石桥镇委员会'])
    await shot('17-stats-drill')
    // the export of the shown org on the chosen date
    await fillDate('stats-as-of', '2025-12-31')
    await page.locator('[data-test=stats-search]').click()
    await page.locator('[data-test=stats-data-time]').waitFor()
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=stats-export]').click()])
    assert.equal(dl.suggestedFilename(), '党员队伍基本情况统计表-2025-12-31.xlsx')
    const buf = readFileSync(await dl.path())
    assert.equal(buf.subarray(0, 2).toString('latin1'), 'PK')
    assert.ok(buf.length > 4000, `stats export is ${buf.length} bytes`)
    await page.locator('[data-test=stats-crumbs]').getByText('中共临江市委员会').click()
    await table.getByText('中共临江市青山县委员会').waitFor()
    assert.equal(await page.locator('[data-test=stats-crumbs] .el-breadcrumb__item').count(), 1)
    // 发展党员: the recruits of a year, with the same drill-down
    await page.getByRole('tab', { name: '发展党员' }).click()
    await fillDate('stats-year', '2025')
    await page.locator('[data-test=stats-search]').click()
    await visible('[data-test=rec-table]').getByText('中共临江市青山县委员会').waitFor()
    await page.locator('[data-test=rec-card-total] .value').filter({ hasText: /^[1-9][\d,]*$/ }).waitFor()
    assert.equal(await page.locator('[data-test=rec-charts] canvas').count(), 4)
    await shot('18-stats-recruited')
    // drilling on this tab carries over to the other one
    await visible('[data-test=rec-table]').locator('.el-table__row').filter({ hasText: '中共临江市青山县委员会' }).first().click()
    await visible('[data-test=rec-table]').getByText('中共临江市青山县石桥镇委员会').waitFor()
    await page.getByRole('tab', { name: '党员队伍基本情况' }).click()
    await table.getByText('中共临江市青山县石桥镇委员会').waitFor()
  })

  await step('city: personal centre shows the password policy findings', async () => {
    await page.locator('[data-test=user-menu]').click()
    await visible('.el-dropdown-menu__item').filter({ hasText: '个人中心' }).click()
    await page.waitForURL((u) => u.pathname === '/profile')
    await page.locator('input[data-test=pw-old]').fill(PASSWORD)
    await page.locator('input[data-test=pw-new]').fill('abcdefgh1')
    await page.locator('input[data-test=pw-confirm]').fill('abcdefgh1')
    await expecting([422], async () => {
      await page.locator('[data-test=pw-save]').click()
      await page.locator('[data-test=findings]').getByText('新密码不符合密码策略').waitFor()
    })
    await shot('09-profile')
    await logout()
  })

  await step('branch: sees only its own branch', async () => {
    await login('branch', '/home')
    assert.deepEqual(await menuTitles(), ['首页', '组织管理', '党员管理', '组织关系转接', '党内统计'])
    await menu('组织管理', '/org')
    await visible('[data-test=org-table]').getByText('中共青山县石桥镇凤坪村支部委员会').waitFor()
    assert.equal(await visible('[data-test=org-table] .el-table__row').count(), 1)
    await page.locator('input[data-test=org-q]').fill('LJ-04-03-03')
    await page.getByRole('button', { name: '搜索' }).click()
    await visible('[data-test=org-search-table]').getByText('没有找到符合条件的党组织').waitFor()
    await page.locator('input[data-test=org-q]').fill('E2E测试')
    await page.getByRole('button', { name: '搜索' }).click()
    await visible('[data-test=org-search-table]').getByText('没有找到符合条件的党组织').waitFor()
    await menu('党员管理', '/member')
    await visible('.el-pagination__total').filter({ hasText: /共 [\d,]+ 条/ }).first().waitFor()
    await page.locator('input[data-test=member-q]').fill('张测试')
    await page.getByRole('button', { name: '搜索' }).click()
    const row = visible('[data-test=member-table] .el-table__row').filter({ hasText: '张测试' })
    await row.waitFor()
    const text = await row.innerText()
    assert.match(text, /110101\*{8}0015/) // masked: branch secretaries lack member:read_pii
    assert.doesNotMatch(text, /110101199001010015/)
    await shot('10-branch-members')
  })

  await step('branch: 党内统计 shows only its own branch', async () => {
    await menu('党内统计', '/stats')
    await visible('[data-test=stats-table]').getByText('该党组织没有下级党组织').waitFor()
    assert.deepEqual(await page.locator('[data-test=stats-crumbs] .el-breadcrumb__item').allInnerTexts(), ['中共青山县石桥镇凤坪村支部委员会'])
    const mine = await (await page.request.get(base + '/api/v1/stats')).json()
    assert.equal(mine.org.name, '中共青山县石桥镇凤坪村支部委员会')
    assert.equal((await page.locator('[data-test=stats-card-total] .value').innerText()).replace(/\D/g, ''), String(mine.row.cells.total))
    await shot('19-stats-branch')
    // an org outside the branch: the same answer as one that does not exist
    await expecting([404], async () => {
      await page.goto(base + '/stats?org_id=1')
      await page.locator('[data-test=stats-failure]').getByText('请求的党组织不存在或不在您的管理范围内').waitFor()
    })
    assert.equal(await page.getByText('中共临江市委员会').count(), 0)
    await logout()
  })

  await step('auditor: only the audit log, chain verified', async () => {
    await login('auditor', '/audit')
    assert.deepEqual(await menuTitles(), ['审计日志'])
    await visible('[data-test=audit-table]').getByText('member.create').first().waitFor()
    await page.locator('[data-test=verify]').click()
    await page.locator('[data-test=verify-result]').getByText('哈希链校验通过').waitFor()
    await shot('11-audit')
    await logout()
  })

  await step('admin: only system management, accounts listed', async () => {
    await login('admin', '/system/account')
    assert.deepEqual(await menuTitles(), ['系统管理'])
    await visible('[data-test=account-table]').getByText('city', { exact: true }).waitFor()
    await shot('12-accounts')
    // a new account homed in a county, the org chosen from the names-only tree (no org:read)
    await page.getByRole('button', { name: '新增' }).click()
    const dlg = page.locator('.el-dialog').filter({ hasText: '新增账号' })
    await dlg.getByLabel('用户名').fill('e2e_clerk')
    await dlg.getByLabel('姓名').fill('青山县组织部干事')
    await dlg.locator('[data-test=org-picker]').click()
    const rootNode = page.locator('.el-tree-node__content', { hasText: '中共临江市委员会' }).first()
    await rootNode.waitFor()
    await rootNode.locator('.el-tree-node__expand-icon').click()
    await page.locator('.el-tree-node__content', { hasText: '中共临江市青山县委员会' }).first().click()
    await dlg.getByRole('button', { name: '确 定' }).click()
    await page.locator('.el-message-box').getByText('一次性密码').waitFor()
    await page.locator('.el-message-box').getByRole('button', { name: /确/ }).click()
    const row = visible('[data-test=account-table]').locator('tr', { hasText: 'e2e_clerk' })
    await row.getByText('中共临江市青山县委员会').waitFor()
    await menu('权限列表', '/system/permission')
    await visible('[data-test=perm-table]').getByText('查看与核验审计日志').waitFor()
    await logout()
  })

  await step('secadmin: roles', async () => {
    await login('secadmin', '/system/account')
    await menu('角色管理', '/system/role')
    await visible('[data-test=role-table]').getByText('支部书记').first().waitFor()
    await shot('13-roles')
    await logout()
  })

  await step('no console errors or page errors', async () => {
    assert.deepEqual(problems, [])
  })
} catch (e) {
  results.push({ name: 'setup', ok: false }); console.log('  FAIL setup: ' + e.message)
} finally {
  await cleanup()
}
const passed = results.filter((r) => r.ok).length
const failed = results.length - passed
if (problems.length) console.log(problems.map((p) => '  ' + p).join('\n'))
if (failed && httpErrors.length) console.log('  API answers ≥ 400:\n' + httpErrors.map((e) => '    ' + e).join('\n'))
console.log(`e2e: screenshots in ${SHOTS}`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
