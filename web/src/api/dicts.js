// Cached reference data (code tables and module metadata): fetched once per page load.
import { api } from './http.js'
const cache = new Map()
export function cached(key, loader) {
  if (!cache.has(key)) cache.set(key, loader().catch((e) => { cache.delete(key); throw e }))
  return cache.get(key)
}
export const dictItems = (name) => cached('dict:' + name, () => api.get('/dicts/' + name).then((r) => r.items.filter((i) => i.enabled !== false)))
export const memberMeta = () => cached('member-meta', () => api.get('/members/meta'))
export const orgMeta = () => cached('org-meta', () => api.get('/orgs/meta'))
// Which routes the server offers (feature detection for buttons whose API may not exist yet).
export const routeSet = () => cached('openapi', () => fetch('/api/v1/openapi.json').then((r) => (r.ok ? r.json() : { paths: {} })).then((d) => new Set(Object.keys(d.paths || {}))))
