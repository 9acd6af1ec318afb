// Post-build: writes .gz siblings (the server sends them to clients accepting gzip) and
// measures the first load of the login page: index.html + entry chunk + its static imports
// and CSS + the login route's chunk and CSS, all gzip-compressed. Fails above 1 MB.
import { readdirSync, readFileSync, writeFileSync, statSync, rmSync, existsSync } from 'node:fs'
import { join, relative } from 'node:path'
import { gzipSync, constants } from 'node:zlib'

const dist = new URL('../dist/', import.meta.url).pathname
const gz = new Map()
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) { if (name !== '.vite') walk(p); continue }
    if (!/\.(js|css|html|svg|json|txt|map)$/.test(name)) continue
    const raw = readFileSync(p)
    const z = gzipSync(raw, { level: constants.Z_BEST_COMPRESSION })
    gz.set(relative(dist, p), { raw: raw.length, gz: z.length })
    if (raw.length >= 1024 && z.length < raw.length) writeFileSync(p + '.gz', z)
  }
}
walk(dist)

const manifestPath = join(dist, '.vite', 'manifest.json')
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
const files = new Set(['index.html'])
function add(key) {
  const e = manifest[key]
  if (!e || files.has(e.file)) return
  files.add(e.file)
  for (const c of e.css || []) files.add(c)
  for (const i of e.imports || []) add(i)
}
for (const [k, e] of Object.entries(manifest)) if (e.isEntry) add(k)
const loginKey = Object.keys(manifest).find((k) => k.endsWith('views/Login.vue'))
if (loginKey) add(loginKey)
files.add('favicon.svg')
let total = 0, totalRaw = 0
for (const f of files) { const s = gz.get(f); if (s) { total += Math.min(s.gz, s.raw); totalRaw += s.raw } }
rmSync(join(dist, '.vite'), { recursive: true, force: true })
const kb = (n) => (n / 1024).toFixed(1) + ' KiB'
console.log(`web: login page first load ${kb(total)} gzip (${kb(totalRaw)} uncompressed, ${files.size} files); limit 1024 KiB`)
let all = 0
for (const [, s] of gz) all += s.gz
console.log(`web: all assets ${kb(all)} gzip in ${gz.size} files`)
if (total > 1024 * 1024) { console.error('web: login page first load exceeds 1 MB gzip'); process.exit(1) }
if (!existsSync(join(dist, 'index.html'))) process.exit(1)
