/* transfer_letter.c — the print view of an external transfer letter: one self-contained HTML
 * page in the layout of the uniform 《中国共产党党员组织关系介绍信》 (RULES.md §5.2): the stub
 * (存根) kept by the sending org, the letter the member carries, and the receipt slip (回执)
 * the receiving org sends back, separated by cut lines with the place of the seam seal
 * (骑缝章). Print CSS for A4; no scripts, no images, no external resources (the API answers it
 * with a CSP that allows inline styles only). Every value from the database is HTML-escaped.
 * The ID number is the masked form unless the caller may read personal data (the handler
 * decides and audits). */
#include <string.h>

#include "modules/transfer/transfer_internal.h"

/* The whole page stays far below this (a few KiB); the bound keeps a broken row from making a
 * large answer. */
#define LETTER_HTML_MAX (256u * 1024u)

static void esc(zg_strbuf_t *sb, const char *s)
{
    if (!s)
        return;
    for (; *s; s++) {
        switch (*s) {
        case '&':
            zg_strbuf_puts(sb, "&amp;");
            break;
        case '<':
            zg_strbuf_puts(sb, "&lt;");
            break;
        case '>':
            zg_strbuf_puts(sb, "&gt;");
            break;
        case '"':
            zg_strbuf_puts(sb, "&quot;");
            break;
        case '\'':
            zg_strbuf_puts(sb, "&#39;");
            break;
        default:
            zg_strbuf_putc(sb, *s);
        }
    }
}

/* A value to fill in: escaped and underlined, or a blank line to write on by hand. */
static void field(zg_strbuf_t *sb, const char *s)
{
    zg_strbuf_puts(sb, "<span class=\"f\">");
    if (s && *s)
        esc(sb, s);
    else
        zg_strbuf_puts(sb, "&emsp;&emsp;&emsp;&emsp;");
    zg_strbuf_puts(sb, "</span>");
}

/* "2026年3月5日" */
static void cn_date(zg_strbuf_t *sb, zg_date_t d)
{
    if (d == ZG_TRANSFER_NO_DATE || !zg_date_valid(d)) {
        zg_strbuf_puts(sb, "&emsp;&emsp;年&emsp;&emsp;月&emsp;&emsp;日");
        return;
    }
    int y, m, day;
    zg_date_to_ymd(d, &y, &m, &day);
    zg_strbuf_printf(sb, "%d年%d月%d日", y, m, day);
}

static const char *status_word(const char *status)
{
    if (status && !strcmp(status, "probationary"))
        return "预备";
    if (status && !strcmp(status, "full"))
        return "正式";
    return NULL;
}

static const char *gender_word(const char *g)
{
    if (g && !strcmp(g, "1"))
        return "男";
    if (g && !strcmp(g, "2"))
        return "女";
    return NULL;
}

static void letter_no(zg_strbuf_t *sb, const zg_transfer_t *t)
{
    zg_strbuf_puts(sb, "<p class=\"no\">");
    esc(sb, t->letter_no);
    zg_strbuf_puts(sb, "</p>");
}

/* "党费交到 2026 年 3 月" */
static void dues(zg_strbuf_t *sb, const char *month)
{
    int y, m;
    if (month && zg_transfer_parse_month(month, &y, &m) == 0)
        zg_strbuf_printf(sb, "<span class=\"f\">%d</span>年<span class=\"f\">%d</span>月", y, m);
    else
        zg_strbuf_puts(sb, "<span class=\"f\">&emsp;&emsp;</span>年<span class=\"f\">&emsp;"
                           "</span>月");
}

static void validity(zg_strbuf_t *sb, const zg_transfer_t *t)
{
    zg_strbuf_puts(sb, "（有效期");
    if (t->valid_until != ZG_TRANSFER_NO_DATE && t->issued_on != ZG_TRANSFER_NO_DATE) {
        zg_strbuf_printf(sb, "<span class=\"f\">%d</span>天，至",
                         (int)(t->valid_until - t->issued_on));
        cn_date(sb, t->valid_until);
    } else {
        zg_strbuf_puts(sb, "<span class=\"f\">&emsp;&emsp;</span>天");
    }
    zg_strbuf_puts(sb, "）");
}

static const char STYLE[] =
    "@page{size:A4;margin:14mm 16mm}"
    "*{box-sizing:border-box}"
    "body{margin:0;font-family:\"SimSun\",\"Songti SC\",\"Noto Serif CJK SC\",\"Source Han Serif "
    "SC\",serif;font-size:15px;line-height:2;color:#000;background:#fff}"
    ".page{max-width:178mm;margin:0 auto;padding:6mm 0}"
    "section{border:1px solid #000;padding:4mm 7mm;margin:0}"
    "h1{font-size:21px;text-align:center;letter-spacing:2px;margin:0 0 1mm;font-weight:bold}"
    "h1 small{font-size:15px;font-weight:normal}"
    ".no{text-align:right;margin:0}"
    "p{margin:0;text-indent:2em}"
    "p.to,p.no,p.sign,p.plain{text-indent:0}"
    ".sign{text-align:right;margin-top:3mm}"
    ".f{display:inline-block;min-width:3em;border-bottom:1px solid #000;text-align:center;"
    "padding:0 .3em;line-height:1.5;text-indent:0}"
    ".cut{position:relative;border-top:1px dashed #000;margin:6mm 0;text-align:center;height:0}"
    ".cut span{position:relative;top:-.9em;background:#fff;padding:0 1em;font-size:12px}"
    ".contact{font-size:13px;line-height:1.8;margin-top:2mm}"
    ".hint{font-size:12px;color:#444;margin:0 0 4mm;text-indent:0}"
    "@media print{.hint{display:none}.page{padding:0}section{break-inside:avoid}}";

int zg_transfer_letter_html(zg_arena_t *a, const zg_transfer_letter_t *l, const char **html,
                            size_t *len, zg_error_t *err)
{
    const zg_transfer_t *t = &l->t;
    const zg_member_t *m = &l->member;
    zg_strbuf_t sb;
    zg_strbuf_init(&sb, a, LETTER_HTML_MAX);
    const char *id_number = m->id_number ? m->id_number : m->id_number_masked;
    const char *status = status_word(l->status_on_issue);
    char age[16] = "";
    int years;
    if (m->birth_date != ZG_MEMBER_NO_DATE && t->issued_on != ZG_TRANSFER_NO_DATE &&
        zg_date_age_at(m->birth_date, t->issued_on, &years) == 0)
        snprintf(age, sizeof age, "%d", years);

    zg_strbuf_puts(&sb, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                        "<title>中国共产党党员组织关系介绍信 ");
    esc(&sb, t->letter_no);
    zg_strbuf_printf(&sb, "</title><style>%s</style></head><body><div class=\"page\">", STYLE);
    zg_strbuf_puts(&sb, "<p class=\"hint\">请使用浏览器的打印功能（Ctrl+P）以 A4 "
                        "纸打印；存根留存，介绍信由党员本人携带或机要寄送，回执由接收方寄回。"
                        "加盖公章和骑缝章后有效。</p>");

    /* the stub (存根) */
    zg_strbuf_puts(&sb, "<section class=\"stub\"><h1>中国共产党党员组织关系介绍信"
                        "<small>（存根）</small></h1>");
    letter_no(&sb, t);
    zg_strbuf_puts(&sb, "<p>");
    field(&sb, m->name);
    zg_strbuf_puts(&sb, "同志系中共");
    field(&sb, status);
    zg_strbuf_puts(&sb, "党员，组织关系由");
    field(&sb, t->from_org_name);
    zg_strbuf_puts(&sb, "转到");
    field(&sb, t->destination);
    zg_strbuf_puts(&sb, "。</p><p>党费交到");
    dues(&sb, t->dues_paid_until);
    zg_strbuf_puts(&sb, "。</p><p>");
    validity(&sb, t);
    zg_strbuf_puts(&sb, "</p><p class=\"sign\">");
    cn_date(&sb, t->issued_on);
    zg_strbuf_puts(&sb, "</p></section>");

    zg_strbuf_puts(&sb, "<div class=\"cut\"><span>此处盖骑缝章 · 沿虚线剪开</span></div>");

    /* the letter */
    zg_strbuf_puts(&sb, "<section class=\"letter\"><h1>中国共产党党员组织关系介绍信</h1>");
    letter_no(&sb, t);
    zg_strbuf_puts(&sb, "<p class=\"to\">");
    field(&sb, t->destination);
    zg_strbuf_puts(&sb, "：</p><p>");
    field(&sb, m->name);
    zg_strbuf_puts(&sb, "同志（");
    field(&sb, gender_word(m->gender));
    zg_strbuf_puts(&sb, "），");
    field(&sb, age);
    zg_strbuf_puts(&sb, "岁，");
    field(&sb, l->ethnicity_label);
    zg_strbuf_puts(&sb, "，系中共");
    field(&sb, status);
    zg_strbuf_puts(&sb, "党员，身份证号码");
    field(&sb, id_number);
    zg_strbuf_puts(&sb, "，由");
    field(&sb, t->from_org_name);
    zg_strbuf_puts(&sb, "去");
    field(&sb, t->destination);
    zg_strbuf_puts(&sb, "，请转接组织关系。</p><p>该同志党费已交到");
    dues(&sb, t->dues_paid_until);
    zg_strbuf_puts(&sb, "。</p><p>");
    validity(&sb, t);
    zg_strbuf_puts(&sb, "</p><p class=\"sign\">（盖章）<br>");
    cn_date(&sb, t->issued_on);
    zg_strbuf_puts(&sb,
                   "</p><div class=\"contact\"><p class=\"plain\">党员联系电话或其他联系方式：");
    field(&sb, m->phone ? m->phone : m->phone_masked);
    zg_strbuf_puts(&sb, "</p><p class=\"plain\">党员原所在基层党委通讯地址：");
    field(&sb, NULL);
    zg_strbuf_puts(&sb, "</p><p class=\"plain\">联系电话：");
    field(&sb, NULL);
    zg_strbuf_puts(&sb, "&emsp;传真：");
    field(&sb, NULL);
    zg_strbuf_puts(&sb, "&emsp;邮编：");
    field(&sb, NULL);
    zg_strbuf_puts(&sb, "</p></div></section>");

    zg_strbuf_puts(&sb, "<div class=\"cut\"><span>此处盖骑缝章 · 沿虚线剪开</span></div>");

    /* the receipt slip (回执) */
    zg_strbuf_puts(&sb, "<section class=\"receipt\"><h1>中国共产党党员组织关系介绍信"
                        "<small>（回执）</small></h1>");
    letter_no(&sb, t);
    zg_strbuf_puts(&sb, "<p class=\"to\">");
    field(&sb, t->from_org_name);
    zg_strbuf_puts(&sb, "：</p><p>");
    field(&sb, m->name);
    zg_strbuf_puts(&sb, "同志的党员组织关系已转达我处，特此回复。</p>"
                        "<p class=\"sign\">（盖章）<br>");
    cn_date(&sb, ZG_TRANSFER_NO_DATE);
    zg_strbuf_puts(&sb, "</p></section></div></body></html>\n");

    if (sb.overflow)
        return sb.len >= LETTER_HTML_MAX
                   ? zg_error_set(err, ZG_ERR_TOO_LARGE, "letter_too_large", "介绍信内容过长",
                                  "transfer letter over %u bytes", LETTER_HTML_MAX)
                   : tr_nomem(err, "letter html");
    *html = sb.data;
    *len = sb.len;
    return ZG_OK;
}
