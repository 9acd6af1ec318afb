import { describe, it, expect, beforeEach, vi } from 'vitest'
import { setActivePinia, createPinia } from 'pinia'
import { api, configureHttp, qs } from '@/api/http.js'
import { toApiError, NETWORK_MESSAGE } from '@/api/errors.js'
import { useAuthStore } from '@/stores/auth.js'

function reply(status, body) {
  return Promise.resolve(new Response(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }))
}

describe('auth store + http: CSRF header', () => {
  let calls
  beforeEach(() => {
    setActivePinia(createPinia())
    calls = []
    globalThis.fetch = vi.fn((url, init) => {
      calls.push({ url, init })
      if (url === '/api/v1/auth/login') return reply(200, { token: 't', csrf_token: 'csrf-123', account: { id: 1 }, must_change_password: false })
      if (url === '/api/v1/auth/me') return reply(200, { account: { id: 1, username: 'city' }, roles: [{ code: 'org_admin', kind: 'business' }], permissions: ['org:read', 'org:write'], csrf_token: 'csrf-123', must_change_password: false })
      return reply(200, { ok: true })
    })
    const auth = useAuthStore()
    configureHttp({ csrf: () => auth.csrfToken })
  })

  it('sends X-CSRF-Token on writes after login, never on GET', async () => {
    const auth = useAuthStore()
    await auth.login('city', 'pw')
    expect(auth.csrfToken).toBe('csrf-123')
    expect(auth.has('org:write')).toBe(true)
    await api.get('/orgs')
    await api.post('/orgs', { name: 'x' })
    await api.patch('/orgs/1', { name: 'y' })
    const get = calls.find((c) => c.url === '/api/v1/orgs' && c.init.method === 'GET')
    const post = calls.find((c) => c.url === '/api/v1/orgs' && c.init.method === 'POST')
    const patch = calls.find((c) => c.init.method === 'PATCH')
    expect(get.init.headers['X-CSRF-Token']).toBeUndefined()
    expect(post.init.headers['X-CSRF-Token']).toBe('csrf-123')
    expect(post.init.headers['Content-Type']).toBe('application/json')
    expect(patch.init.headers['X-CSRF-Token']).toBe('csrf-123')
    expect(post.init.credentials).toBe('same-origin')
  })

  it('keeps nothing in localStorage', async () => {
    const auth = useAuthStore()
    await auth.login('city', 'pw')
    expect(localStorage.length).toBe(0)
    await auth.logout()
    expect(auth.csrfToken).toBe('')
    expect(auth.loggedIn).toBe(false)
  })

  it('calls the unauthorized handler on 401 (except when told not to)', async () => {
    const seen = []
    configureHttp({ onUnauthorized: (e) => seen.push(e.code) })
    globalThis.fetch = vi.fn(() => reply(401, { code: 'session_expired', message: '登录已过期，请重新登录', fields: {} }))
    await expect(api.get('/orgs')).rejects.toMatchObject({ status: 401, message: '登录已过期，请重新登录' })
    await expect(api.get('/auth/me', undefined, { skipAuthRedirect: true })).rejects.toBeTruthy()
    expect(seen).toEqual(['session_expired'])
  })

  it('builds query strings without empty values', () => {
    expect(qs({ a: 1, b: '', c: null, d: undefined, q: '党 支部' })).toBe('?a=1&q=%E5%85%9A+%E6%94%AF%E9%83%A8')
    expect(qs({})).toBe('')
  })
})

describe('API error → message', () => {
  it('uses the server Chinese message and keeps fields and findings', () => {
    const e = toApiError(422, { code: 'rule_violation', message: '不符合规定', fields: { name: '必填' }, findings: [{ rule: 'x', severity: 'block', message: 'm', citation: 'c' }] })
    expect(e.message).toBe('不符合规定'); expect(e.code).toBe('rule_violation')
    expect(e.fields.name).toBe('必填'); expect(e.findings).toHaveLength(1)
  })
  it('names the first bad field of a generic 400', () => {
    expect(toApiError(400, { code: 'invalid_fields', message: '提交的内容有误，请按提示修改', fields: { working_days: '工作日天数应在 1 到 366 之间' } }).message)
      .toBe('提交的内容有误，请按提示修改：工作日天数应在 1 到 366 之间')
  })
  it('never shows raw bodies or English', () => {
    expect(toApiError(500, null).message).toBe('服务器内部错误，请稍后重试或联系管理员')
    expect(toApiError(502, '<html>Bad gateway</html>').message).toBe('服务暂时不可用，请稍后重试')
    expect(toApiError(404, { code: 'not_found', message: 'not found' }).message).toBe('请求的内容不存在或不在您的管理范围内')
    expect(toApiError(418, {}).message).toBe('操作失败，请稍后重试')
    expect(toApiError(0, null).message).toBe(NETWORK_MESSAGE)
  })
  it('turns a failed fetch into the network message', async () => {
    globalThis.fetch = vi.fn(() => Promise.reject(new TypeError('Failed to fetch')))
    await expect(api.get('/x')).rejects.toMatchObject({ status: 0, message: NETWORK_MESSAGE })
  })
  it('maps a non-JSON error body to the status message', async () => {
    globalThis.fetch = vi.fn(() => Promise.resolve(new Response('oops', { status: 503 })))
    await expect(api.get('/x')).rejects.toMatchObject({ status: 503, message: '服务暂时不可用，请稍后重试' })
  })
})

describe('downloads and uploads', () => {
  it('reads the file name of Content-Disposition (RFC 5987 first)', async () => {
    const { filenameFromDisposition } = await import('@/api/http.js')
    expect(filenameFromDisposition(`attachment; filename="stats-1-2026-11-23.xlsx"; filename*=UTF-8''%E5%85%9A%E5%91%98.xlsx`)).toBe('党员.xlsx')
    expect(filenameFromDisposition('attachment; filename="members.csv"')).toBe('members.csv')
    expect(filenameFromDisposition('attachment; filename=plain.xlsx')).toBe('plain.xlsx')
    expect(filenameFromDisposition(null, 'x.xlsx')).toBe('x.xlsx')
  })
  it('uploads raw bytes with the CSRF token and the given type', async () => {
    setActivePinia(createPinia())
    const { upload } = await import('@/api/http.js')
    configureHttp({ csrf: () => 'tok' })
    let seen
    globalThis.fetch = vi.fn((url, init) => { seen = { url, init }; return reply(202, { job_id: 7, status: 'queued' }) })
    const blob = new Blob(['PK'])
    const r = await upload('/members/import', blob, { query: { mode: 'valid_only', async: 1, update: undefined }, contentType: 'application/x-test' })
    expect(r).toEqual({ status: 202, data: { job_id: 7, status: 'queued' } })
    expect(seen.url).toBe('/api/v1/members/import?mode=valid_only&async=1')
    expect(seen.init.method).toBe('POST')
    expect(seen.init.body).toBe(blob)
    expect(seen.init.headers['X-CSRF-Token']).toBe('tok')
    expect(seen.init.headers['Content-Type']).toBe('application/x-test')
  })
  it('turns a failed download into a Chinese error', async () => {
    const { download } = await import('@/api/http.js')
    globalThis.fetch = vi.fn(() => reply(503, { code: 'stats_not_ready', message: '统计数据正在生成，请稍后重试' }))
    await expect(download('/stats/export.xlsx', { org_id: 1 }, 'x.xlsx')).rejects.toMatchObject({ status: 503, message: '统计数据正在生成，请稍后重试' })
  })
})
