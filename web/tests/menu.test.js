import { describe, it, expect } from 'vitest'
import { filterMenu, firstPath, permsFor } from '@/menu.js'
import { safeRedirect } from '@/router/index.js'

const titles = (m) => m.flatMap((i) => (i.children ? [i.title, ...i.children.map((c) => c.title)] : [i.title]))
const ORG_ADMIN = ['member:read', 'member:read_pii', 'member:write', 'org:read', 'org:write', 'stats:read']

describe('permission-driven menu', () => {
  it('business accounts see the business pages, not system or audit', () => {
    expect(titles(filterMenu(ORG_ADMIN))).toEqual(['首页', '组织管理', '党员管理', '组织关系转接', '党内统计'])
    expect(firstPath(ORG_ADMIN)).toBe('/home')
  })
  it('the system administrator sees only 系统管理 (accounts, permissions)', () => {
    const m = filterMenu(['account:read', 'account:write', 'config:write'])
    expect(titles(m)).toEqual(['系统管理', '账号管理', '权限列表'])
    expect(firstPath(['account:read'])).toBe('/system/account')
  })
  it('the security administrator sees accounts, roles and permissions', () => {
    expect(titles(filterMenu(['role:read', 'role:write', 'account:read', 'account:assign_role']))).toEqual(['系统管理', '账号管理', '角色管理', '权限列表'])
  })
  it('the auditor sees only 审计日志', () => {
    expect(titles(filterMenu(['audit:read']))).toEqual(['审计日志'])
    expect(firstPath(['audit:read'])).toBe('/audit')
  })
  it('no permission: only the profile', () => {
    expect(filterMenu([])).toEqual([])
    expect(firstPath([])).toBe('/profile')
  })
  it('党内统计 needs stats:read', () => {
    expect(titles(filterMenu(['member:read', 'org:read']))).not.toContain('党内统计')
    expect(titles(filterMenu(['stats:read']))).toEqual(['首页', '党内统计'])
    expect(permsFor('/stats')).toEqual(['stats:read'])
  })
  it('the guard uses the same permissions', () => {
    expect(permsFor('/audit')).toEqual(['audit:read'])
    expect(permsFor('/profile')).toBeNull()
  })
  it('redirects only to local paths', () => {
    expect(safeRedirect('/org?x=1')).toBe('/org?x=1')
    expect(safeRedirect('//evil.example')).toBe('')
    expect(safeRedirect('https://evil.example')).toBe('')
    expect(safeRedirect('/login')).toBe('')
  })
})
