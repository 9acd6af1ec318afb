// The left menu. Each entry names the permissions any one of which shows it; the router uses
// the same list for its guard, so a hidden page cannot be opened by typing its address.
export const MENU = [
  { path: '/home', title: '首页', icon: 'HomeFilled', perms: ['org:read', 'stats:read'] },
  { path: '/org', title: '组织管理', icon: 'OfficeBuilding', perms: ['org:read'] },
  { path: '/member', title: '党员管理', icon: 'User', perms: ['member:read'] },
  { path: '/transfer', title: '组织关系转接', icon: 'Switch', perms: ['member:read'] },
  { path: '/stats', title: '党内统计', icon: 'DataAnalysis', perms: ['stats:read'] },
  {
    path: '/system', title: '系统管理', icon: 'Setting',
    children: [
      { path: '/system/account', title: '账号管理', perms: ['account:read'] },
      { path: '/system/role', title: '角色管理', perms: ['role:read'] },
      { path: '/system/permission', title: '权限列表', perms: ['role:read', 'account:read'] },
    ],
  },
  { path: '/audit', title: '审计日志', icon: 'Document', perms: ['audit:read'] },
]

function allowed(item, perms) {
  return !item.perms || item.perms.some((p) => perms.includes(p))
}

export function filterMenu(perms, menu = MENU) {
  const out = []
  for (const item of menu) {
    if (item.children) {
      const kids = filterMenu(perms, item.children)
      if (kids.length) out.push({ ...item, children: kids })
    } else if (allowed(item, perms)) out.push(item)
  }
  return out
}

export function firstPath(perms) {
  const m = filterMenu(perms)
  if (!m.length) return '/profile'
  return m[0].children ? m[0].children[0].path : m[0].path
}

export function permsFor(path) {
  const walk = (items) => {
    for (const i of items) {
      if (i.children) { const r = walk(i.children); if (r) return r }
      else if (i.path === path) return i.perms
    }
    return null
  }
  return walk(MENU)
}
