import { describe, it, expect } from 'vitest'
import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import Findings from '@/components/Findings.vue'

describe('Findings', () => {
  it('shows each finding with its severity and citation', () => {
    const w = mount(Findings, {
      global: { plugins: [ElementPlus] },
      props: { title: '请留意', items: [
        { rule: 'org.joint_branch_units_max', severity: 'warn', message: '联合党支部覆盖的单位一般不超过5个（现为 6 个）', citation: '《中国共产党支部工作条例（试行）》第五条' },
        { rule: 'member.standing_since', severity: 'info', message: '党龄自 2018-07-01 起算', citation: '《中国共产党章程》第七条' },
      ] },
    })
    const t = w.text()
    expect(t).toContain('联合党支部覆盖的单位一般不超过5个')
    expect(t).toContain('依据：《中国共产党支部工作条例（试行）》第五条')
    expect(t).toContain('提醒'); expect(t).toContain('说明')
    expect(w.findAll('.finding')).toHaveLength(2)
  })
  it('renders nothing without findings', () => {
    const w = mount(Findings, { global: { plugins: [ElementPlus] }, props: { items: [] } })
    expect(w.find('[data-test="findings"]').exists()).toBe(false)
  })
})
