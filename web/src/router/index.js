import { createRouter, createWebHistory } from 'vue-router'
import { useAuthStore } from '@/stores/auth.js'
import { firstPath, permsFor } from '@/menu.js'
import Layout from '@/layout/Layout.vue'

const routes = [
  { path: '/login', name: 'login', component: () => import('@/views/Login.vue'), meta: { public: true, title: '登录' } },
  {
    path: '/', component: Layout, redirect: '/home',
    children: [
      { path: 'home', component: () => import('@/views/Home.vue'), meta: { title: '首页' } },
      { path: 'org', component: () => import('@/views/org/OrgList.vue'), meta: { title: '组织管理' } },
      { path: 'member', component: () => import('@/views/member/MemberList.vue'), meta: { title: '党员管理' } },
      { path: 'transfer', component: () => import('@/views/transfer/TransferList.vue'), meta: { title: '组织关系转接' } },
      { path: 'stats', component: () => import('@/views/stats/StatsView.vue'), meta: { title: '党内统计' } },
      { path: 'system/account', component: () => import('@/views/system/Accounts.vue'), meta: { title: '账号管理' } },
      { path: 'system/role', component: () => import('@/views/system/Roles.vue'), meta: { title: '角色管理' } },
      { path: 'system/permission', component: () => import('@/views/system/Permissions.vue'), meta: { title: '权限列表' } },
      { path: 'audit', component: () => import('@/views/audit/AuditLog.vue'), meta: { title: '审计日志' } },
      { path: 'profile', component: () => import('@/views/Profile.vue'), meta: { title: '个人中心' } },
      { path: '403', component: () => import('@/views/Forbidden.vue'), meta: { title: '无权访问' } },
      { path: ':pathMatch(.*)*', component: () => import('@/views/NotFound.vue'), meta: { title: '页面不存在' } },
    ],
  },
]

export function safeRedirect(r) {
  return typeof r === 'string' && r.startsWith('/') && !r.startsWith('//') && !r.startsWith('/login') ? r : ''
}

export function installGuard(router) {
  router.beforeEach(async (to) => {
    const auth = useAuthStore()
    if (to.meta.public) return true
    if (!auth.loggedIn) {
      try { await auth.fetchMe() } catch { return { path: '/login', query: { redirect: to.fullPath } } }
    }
    if (auth.mustChangePassword && to.path !== '/profile') return { path: '/profile' }
    if (to.path === '/' || to.path === '/home') {
      if (!auth.hasAny(permsFor('/home'))) return { path: firstPath(auth.permissions) }
    }
    const perms = permsFor(to.path)
    if (perms && !auth.hasAny(perms)) return { path: '/403' }
    return true
  })
  router.afterEach((to) => { document.title = (to.meta.title ? to.meta.title + ' - ' : '') + '组工平台' })
}

const router = createRouter({ history: createWebHistory(), routes })
installGuard(router)
export default router
