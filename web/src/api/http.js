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

// Uploads raw bytes (a File or Blob) as the request body, e.g. an .xlsx to import.
export async function upload(path, file, { query, contentType = 'application/octet-stream' } = {}) {
  const headers = { Accept: 'application/json', 'Content-Type': contentType }
  const t = state.csrf()
  if (t) headers['X-CSRF-Token'] = t
  let res
  try {
    res = await fetch('/api/v1' + path + qs(query), { method: 'POST', headers, body: file, credentials: 'same-origin' })
  } catch {
    throw toApiError(0, null)
  }
  let data = null
  const text = await res.text()
  if (text) { try { data = JSON.parse(text) } catch { data = null } }
  if (!res.ok) {
    const err = toApiError(res.status, data)
    if (res.status === 401) state.onUnauthorized(err)
    throw err
  }
  return { status: res.status, data }
}

// The file name of a Content-Disposition header: the RFC 5987 filename* (UTF-8) when present,
// else the plain filename, else the fallback.
export function filenameFromDisposition(header, fallback = 'download') {
  if (!header) return fallback
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header)
  if (star) { try { return decodeURIComponent(star[1].trim().replace(/^"|"$/g, '')) } catch { /* fall through */ } }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/.exec(header)
  if (plain) return (plain[1] ?? plain[2]).trim()
  return fallback
}

// Saves a browser-generated Blob under a name (the CSV error report, …).
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url; a.download = name; a.style.display = 'none'
  document.body.appendChild(a); a.click(); a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10000)
}

// GETs a file (an export) and saves it under the server's name; a failure is an ApiError with
// a Chinese message instead of a JSON page in the browser.
export async function download(path, query, fallbackName) {
  let res
  try {
    res = await fetch('/api/v1' + path + qs(query), { headers: { Accept: '*/*' }, credentials: 'same-origin' })
  } catch {
    throw toApiError(0, null)
  }
  if (!res.ok) {
    let data = null
    try { data = JSON.parse(await res.text()) } catch { data = null }
    const err = toApiError(res.status, data)
    if (res.status === 401) state.onUnauthorized(err)
    throw err
  }
  const name = filenameFromDisposition(res.headers.get('Content-Disposition'), fallbackName)
  saveBlob(await res.blob(), name)
  return name
}

export const api = {
  get: (p, query, opts) => request('GET', p, { query, ...opts }),
  post: (p, body, opts) => request('POST', p, { body, ...opts }),
  patch: (p, body, opts) => request('PATCH', p, { body, ...opts }),
  put: (p, body, opts) => request('PUT', p, { body, ...opts }),
  del: (p, opts) => request('DELETE', p, opts),
}
