// Maps an API failure to what a user reads: always Simplified Chinese, never raw JSON.
const BY_STATUS = {
  400: '提交的内容有误，请按提示修改',
  401: '登录已过期，请重新登录',
  403: '没有权限执行此操作',
  404: '请求的内容不存在或不在您的管理范围内',
  405: '不支持该操作',
  409: '操作与当前数据冲突，请刷新后重试',
  413: '提交的内容过大',
  415: '提交的格式不正确',
  422: '不符合有关规定，请按提示修改',
  429: '操作过于频繁，请稍后再试',
  500: '服务器内部错误，请稍后重试或联系管理员',
  502: '服务暂时不可用，请稍后重试',
  503: '服务暂时不可用，请稍后重试',
  504: '服务响应超时，请稍后重试',
}
export const NETWORK_MESSAGE = '网络连接失败，请检查网络后重试'

const HAN = /[\u4e00-\u9fff]/

export class ApiError extends Error {
  constructor({ status = 0, code = 'network', message, fields = {}, findings = [], body = null }) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields || {}
    this.findings = Array.isArray(findings) ? findings : []
    this.body = body
  }
}

// status: HTTP status (0 for a network failure); body: parsed JSON or null.
export function toApiError(status, body) {
  if (!status) return new ApiError({ status: 0, code: 'network', message: NETWORK_MESSAGE })
  const fallback = BY_STATUS[status] || (status >= 500 ? BY_STATUS[500] : '操作失败，请稍后重试')
  if (!body || typeof body !== 'object' || Array.isArray(body))
    return new ApiError({ status, code: 'http_' + status, message: fallback })
  let message = typeof body.message === 'string' && HAN.test(body.message) ? body.message : fallback
  const fields = body.fields && typeof body.fields === 'object' ? body.fields : {}
  const findings = Array.isArray(body.findings) ? body.findings : []
  if (status === 400 && Object.keys(fields).length) {
    const first = Object.entries(fields)[0]
    if (first && typeof first[1] === 'string' && message === BY_STATUS[400])
      message = `${message}：${first[1]}`
  }
  return new ApiError({ status, code: typeof body.code === 'string' ? body.code : 'http_' + status, message, fields, findings, body })
}
