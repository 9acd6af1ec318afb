import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus, { ElMessage } from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import 'element-plus/dist/index.css'
import './styles/theme.css'
import App from './App.vue'
import router from './router/index.js'
import { configureHttp } from './api/http.js'
import { useAuthStore } from './stores/auth.js'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(router)
app.use(ElementPlus, { locale: zhCn })

const auth = useAuthStore(pinia)
let redirecting = false
configureHttp({
  csrf: () => auth.csrfToken,
  onUnauthorized: (err) => {
    auth.clear()
    const cur = router.currentRoute.value
    if (redirecting || cur.path === '/login') return
    redirecting = true
    ElMessage.warning(err.message || '登录已过期，请重新登录')
    router.replace({ path: '/login', query: { redirect: cur.fullPath } }).finally(() => { redirecting = false })
  },
})
app.config.errorHandler = (e) => {
  ElMessage.error(e && e.name === 'ApiError' ? e.message : '页面出现异常，请刷新后重试')
  console.warn(e)
}
app.mount('#app')
