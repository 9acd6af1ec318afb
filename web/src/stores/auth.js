// The session as the browser knows it. Everything here lives in memory only: the CSRF token,
// the account and its permissions come back from /auth/me after a reload (never localStorage).
import { defineStore } from 'pinia'
import { api } from '@/api/http.js'

export const ADMIN_KINDS = ['sysadmin', 'secadmin', 'auditor']

export const useAuthStore = defineStore('auth', {
  state: () => ({ account: null, roles: [], permissions: [], csrfToken: '', mustChangePassword: false, loaded: false }),
  getters: {
    loggedIn: (s) => !!s.account,
    isAdminRole: (s) => s.roles.some((r) => ADMIN_KINDS.includes(r.kind)),
  },
  actions: {
    has(perm) { return this.permissions.includes(perm) },
    hasAny(perms) { return !perms || perms.length === 0 || perms.some((p) => this.permissions.includes(p)) },
    apply(me) {
      this.account = me.account
      this.roles = me.roles || me.account?.roles || []
      this.permissions = me.permissions || []
      if (me.csrf_token) this.csrfToken = me.csrf_token
      this.mustChangePassword = !!me.must_change_password
      this.loaded = true
    },
    async login(username, password) {
      const r = await api.post('/auth/login', { username, password }, { skipAuthRedirect: true })
      this.csrfToken = r.csrf_token
      await this.fetchMe()
      return r
    },
    async fetchMe() {
      const me = await api.get('/auth/me', undefined, { skipAuthRedirect: true })
      this.apply(me)
      return me
    },
    async logout() {
      try { await api.post('/auth/logout', undefined, { skipAuthRedirect: true }) } catch { /* already ended */ }
      this.clear()
    },
    clear() {
      this.account = null; this.roles = []; this.permissions = []; this.csrfToken = ''
      this.mustChangePassword = false; this.loaded = true
    },
  },
})
