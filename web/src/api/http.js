// The one way the UI talks to the server: same-origin fetch with the session cookie, the CSRF
// token on every write, JSON in and out, and errors turned into ApiError (Chinese message).
import { toApiError } from './errors.js'

const state = { csrf: () => '', onUnauthorized: () => {} }
export function configureHttp({ csrf, onUnauthorized } = {}) {
  if (csrf) state.csrf = csrf
  if (onUnauthorized) state.onUnauthorized = onUnauthorized
}

export function qs(params = {}) {
  const u = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue
    u.append(k, String(v))
  }
  const s = u.toString()
  return s ? '?' + s : ''
}

export async function request(method, path, { body, query, skipAuthRedirect = false } = {}) {
  const headers = { Accept: 'application/json' }
  const m = method.toUpperCase()
  if (m !== 'GET' && m !== 'HEAD') {
    const t = state.csrf()
    if (t) headers['X-CSRF-Token'] = t
  }
  let payload
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  let res
  try {
    res = await fetch('/api/v1' + path + qs(query), { method: m, headers, body: payload, credentials: 'same-origin' })
  } catch {
    throw toApiError(0, null)
  }
  let data = null
  const text = await res.text()
  if (text) { try { data = JSON.parse(text) } catch { data = null } }
  if (!res.ok) {
    const err = toApiError(res.status, data)
    if (res.status === 401 && !skipAuthRedirect) state.onUnauthorized(err)
    throw err
  }
  return data
}

export const api = {
  get: (p, query, opts) => request('GET', p, { query, ...opts }),
  post: (p, body, opts) => request('POST', p, { body, ...opts }),
  patch: (p, body, opts) => request('PATCH', p, { body, ...opts }),
  put: (p, body, opts) => request('PUT', p, { body, ...opts }),
  del: (p, opts) => request('DELETE', p, opts),
}
