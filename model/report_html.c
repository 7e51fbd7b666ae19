/*
 * report_html.c - draw the report: one HTML page with its style, charts
 * (inline SVG) and a small script, all inline, so it opens from disk,
 * mails and archives as one file.
 *
 * Every string that came from the input goes through esc(): HTML-escaped
 * (safe in text and in quoted attributes), controls and invalid UTF-8
 * replaced, and cut to a byte budget so no field can blow up the page. No
 * input string is ever put inside the <script> or <style> elements, and
 * the Content-Security-Policy lets only their exact bytes run (by hash),
 * so even a missed escape could not run a page's script.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "model/report_impl.h"

#define HOST_ROWS 15        /* hosts listed per flagged label */
#define SHOW_URL 140        /* output bytes of a URL shown as text */
#define SHOW_HREF 1200      /* longest escaped URL made a link */
#define SHOW_TITLE 200
#define SHOW_HOST 120
#define SHOW_EV 260
#define SHOW_NAME 60        /* labels, signals, reasons */
#define SHOW_SHORT 24       /* a label in a table column */
#define PROB_COLUMNS_MAX 4  /* more labels than this: one probability column */

struct out {
	struct chaff_buf *b;
	enum chaff_err err;
};

static void put_n(struct out *o, const char *s, size_t n)
{
	if (!o->err)
		o->err = chaff_buf_append(o->b, s, n);
}

static void put(struct out *o, const char *s)
{
	put_n(o, s, strlen(s));
}

static void putf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct out *o, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		if (!o->err)
			o->err = CHAFF_ERR_TOO_LARGE;  /* formats here are short: a bug */
		return;
	}
	put_n(o, tmp, (size_t)n);
}

/* ---- escaping --------------------------------------------------------- */

/*
 * The escaped form of the code point at s: HTML's five specials as
 * entities, controls (C0 but tab/newline, DEL, C1, bidi overrides) and
 * invalid bytes as U+FFFD, newlines and tabs as spaces. Returns bytes consumed; the text
 * to write goes to *rep (len *rlen), or rep is NULL for the input bytes.
 */
static size_t esc_piece(const char *s, size_t n, const char **rep, size_t *rlen)
{
	unsigned char c = (unsigned char)s[0];
	uint32_t cp;
	size_t k;

	*rep = NULL;
	*rlen = 1;
	if (c < 0x80) {
		switch (c) {
		case '&': *rep = "&amp;"; break;
		case '<': *rep = "&lt;"; break;
		case '>': *rep = "&gt;"; break;
		case '"': *rep = "&quot;"; break;
		case '\'': *rep = "&#39;"; break;
		case '\t': case '\n': case '\r': *rep = " "; break;
		default:
			if (c < 0x20 || c == 0x7F)
				*rep = "\xEF\xBF\xBD";
		}
		if (*rep)
			*rlen = strlen(*rep);
		return 1;
	}
	k = chaff_utf8_decode(s, n, &cp);
	/* Bidi embeddings, overrides and isolates could make a page's text
	 * read backwards ("evil.exe" shown as "exe.live"): shown as U+FFFD. */
	if ((cp == 0xFFFD && k == 1) || (cp >= 0x80 && cp <= 0x9F) ||
	    (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) {
		*rep = "\xEF\xBF\xBD";
		*rlen = 3;
		return k;
	}
	*rlen = k;
	return k;
}

/* Escape s[0..n) into at most max bytes (an ellipsis marks a cut). */
static void esc_n(struct out *o, const char *s, size_t n, size_t max)
{
	size_t i, k, rlen, total = 0;
	const char *rep;

	for (i = 0; i < n; i += k) {
		k = esc_piece(s + i, n - i, &rep, &rlen);
		total += rlen;
	}
	if (max < 3)
		max = 3;
	if (total <= max)
		max = SIZE_MAX;  /* it all fits */
	else
		max -= 3;        /* room for the ellipsis */
	for (i = 0, total = 0; i < n; i += k) {
		k = esc_piece(s + i, n - i, &rep, &rlen);
		if (rlen > max - total) {
			put(o, "\xE2\x80\xA6");
			return;
		}
		put_n(o, rep ? rep : s + i, rlen);
		total += rlen;
	}
}

static void esc(struct out *o, const char *s, size_t max)
{
	if (s)
		esc_n(o, s, strlen(s), max);
}

/* Bytes esc would write for all of s. */
static size_t esc_len(const char *s)
{
	size_t i = 0, n = strlen(s), total = 0, rlen;
	const char *rep;

	while (i < n) {
		i += esc_piece(s + i, n - i, &rep, &rlen);
		total += rlen;
	}
	return total;
}

/* Links only for http(s) URLs without controls or spaces: never a
 * javascript: or data: URL, whatever the input says. */
static bool linkable(const char *url)
{
	size_t i;

	if (!url || (chaff_strncasecmp(url, "http://", 7) && chaff_strncasecmp(url, "https://", 8)))
		return false;
	for (i = 0; url[i]; i++)
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7F)
			return false;
	return esc_len(url) <= SHOW_HREF;
}

static void link(struct out *o, const char *url, size_t show)
{
	if (!url) {
		put(o, "<span class=\"muted\">(no URL)</span>");
		return;
	}
	if (!linkable(url)) {
		put(o, "<span class=\"pd\">");
		esc(o, url, show);
		put(o, "</span>");
		return;
	}
	put(o, "<a class=\"pd\" rel=\"noopener noreferrer nofollow\" target=\"_blank\" href=\"");
	esc(o, url, SHOW_HREF);
	put(o, "\">");
	esc(o, url, show);
	put(o, "</a>");
}

/* ---- numbers ---------------------------------------------------------- */

static const char *count_str(uint64_t v, char buf[32])
{
	char tmp[32];
	size_t n, i, o = 0;

	n = (size_t)snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);
	for (i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

static void put_count(struct out *o, uint64_t v)
{
	char buf[32];

	put(o, count_str(v, buf));
}

static const char *pages(uint64_t n)
{
	return n == 1 ? "page" : "pages";
}

static void put_pct(struct out *o, uint64_t num, uint64_t den)
{
	double p;

	if (!den) {
		put(o, "\xE2\x80\x94");  /* em dash: no pages */
		return;
	}
	p = 100.0 * (double)num / (double)den;
	if (num && p < 0.1)
		put(o, "&lt;0.1&#8239;%");
	else
		putf(o, "%.1f&#8239;%%", p);
}

/* ---- labels and colours ----------------------------------------------- */

/* Okabe-Ito: told apart with every common colour vision deficiency. */
static const char *const palette[] = {
	"#CC79A7", "#009E73", "#56B4E9", "#F0E442", "#000000",
	"#7F7F7F", "#B3B3B3", "#4D4D4D", "#999999", "#666666",
	"#CCCCCC", "#333333", "#8C8C8C", "#5A5A5A", "#A6A6A6", "#737373",
};

struct view {
	const struct chaff_report *r;
	const char *color[RPT_MAX_LABELS];
	size_t nlabels;
	size_t order[RPT_MAX_SIGNALS];    /* signals as listed */
	size_t nsignals;
};

static void assign_colors(struct view *v)
{
	static const struct { const char *name, *color; } known[] = {
		{"reliable", "#0072B2"}, {"thin", "#E69F00"}, {"pharmacy_spam", "#D55E00"},
	};
	size_t i, k, next = 0;

	for (i = 0; i < v->nlabels; i++) {
		v->color[i] = NULL;
		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (!strcmp(v->r->labels.name[i], known[k].name))
				v->color[i] = known[k].color;
		if (!v->color[i])
			v->color[i] = palette[next++ % (sizeof(palette) / sizeof(palette[0]))];
	}
}

static const char *label_name(const struct view *v, size_t i)
{
	return v->r->labels.name[i];
}

static bool is_flagged(const struct view *v, size_t i)
{
	return (int)i != v->r->good_index;
}

static void swatch(struct out *o, size_t label)
{
	putf(o, "<span class=\"sw c%zu\"></span>", label);
}

static void label_tag_cut(struct out *o, const struct view *v, size_t label, size_t max)
{
	if (label >= v->nlabels) {
		put(o, "<span class=\"muted\">(unknown)</span>");
		return;
	}
	swatch(o, label);
	put(o, "<span class=\"pd\">");
	esc(o, label_name(v, label), max);
	put(o, "</span>");
}

static void label_tag(struct out *o, const struct view *v, size_t label)
{
	label_tag_cut(o, v, label, SHOW_NAME);
}

/* ---- style and script ------------------------------------------------- */

static const char css_base[] =
	":root{--fg:#1a1a1a;--muted:#595959;--line:#d4d4d4;--panel:#f5f6f8;--link:#0b57a4}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',"
	"sans-serif;color:var(--fg);background:#fff}\n"
	"header.top{padding:18px 32px 12px;border-bottom:1px solid var(--line);background:var(--panel)}\n"
	"h1{font-size:25px;margin:0 0 2px}\n"
	"h2{font-size:20px;margin:34px 0 4px;padding-bottom:4px;border-bottom:2px solid var(--fg)}\n"
	"h3{font-size:16px;margin:18px 0 6px}\n"
	"main{padding:0 32px 40px;max-width:1440px}\n"
	"nav ol{display:flex;flex-wrap:wrap;gap:2px 18px;list-style:none;padding:0;margin:8px 0 0}\n"
	"nav a{font-weight:600}\n"
	"a{color:var(--link)}\n"
	".sub,.lede,.muted,.note,figcaption{color:var(--muted)}\n"
	".lede{margin:4px 0 12px;max-width:72em}\n"
	".note{font-size:13px;max-width:72em}\n"
	".tiles{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}\n"
	".tile{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:130px}\n"
	".tile b{display:block;font-size:23px;font-variant-numeric:tabular-nums}\n"
	".tile span{color:var(--muted);font-size:13px}\n"
	".sw{display:inline-block;width:.85em;height:.85em;border-radius:2px;margin-right:.35em;"
	"vertical-align:-.05em;border:1px solid rgba(0,0,0,.3)}\n"
	".legend{display:flex;flex-wrap:wrap;gap:4px 16px;margin:6px 0;font-size:14px}\n"
	"table{border-collapse:collapse;margin:6px 0 16px;font-size:14px}\n"
	"th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}\n"
	"th{background:var(--panel);font-weight:600}\n"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	".pd{unicode-bidi:isolate;overflow-wrap:anywhere}\n"
	".row{display:flex;flex-wrap:wrap;gap:8px 36px;align-items:flex-start}\n"
	"figure{margin:8px 0 18px}\n"
	"figcaption{font-size:13px;max-width:62em;margin-top:2px}\n"
	"svg text{font:12px system-ui,'DejaVu Sans',sans-serif;fill:#1a1a1a}\n"
	"svg .axis{stroke:#1a1a1a;stroke-width:1}\n"
	"svg .grid{stroke:#e3e3e3;stroke-width:1}\n"
	"svg text.t{font-weight:600;font-size:13px}\n"
	"svg text.m{fill:#595959}\n"
	".multiples{display:flex;flex-wrap:wrap;gap:10px 24px}\n"
	"";

/* Split in two: C11 compilers need only take 4095-byte string literals. */
static const char css_parts[] =
	".heat td.h{text-align:right;font-variant-numeric:tabular-nums;min-width:7em}\n"
	".h0{background:#fff}.h1{background:#eff3ff}.h2{background:#c6dbef}.h3{background:#9ecae1}"
	".h4{background:#6baed6}.h5{background:#3182bd;color:#fff}.h6{background:#08519c;color:#fff}\n"
	".key{display:inline-block;padding:1px 8px;border:1px solid var(--line);font-size:12px}\n"
	".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(430px,1fr));gap:12px}\n"
	".card{border:1px solid var(--line);border-left-width:7px;border-radius:6px;padding:8px 12px}\n"
	".card h4{margin:0 0 2px;font-size:15px}\n"
	".card .meta{font-size:13px;color:var(--muted)}\n"
	".card p{margin:4px 0}\n"
	".ev{margin:4px 0;padding-left:18px}\n"
	".ev li{margin:2px 0}\n"
	".sig{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:12.5px;"
	"background:#eef0f6;border-radius:3px;padding:0 4px;white-space:nowrap}\n"
	".controls{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;margin:8px 0}\n"
	".controls input{font:inherit;padding:3px 6px;width:22em}\n"
	".controls select{font:inherit;padding:2px 4px}\n"
	"#pages th[tabindex]{cursor:pointer}\n"
	"#pages th[tabindex]:hover,#pages th:focus{text-decoration:underline}\n"
	"#pages th[aria-sort=ascending]::after{content:' \\25B2'}\n"
	"#pages th[aria-sort=descending]::after{content:' \\25BC'}\n"
	".wide{overflow-x:auto;max-width:100%}\n"
	"#pages th{overflow-wrap:anywhere}\n"
	"#pages td.u{min-width:13em;max-width:34em}\n"
	"#pages td.ho{min-width:8em;max-width:16em}\n"
	"#pages td.f{min-width:10.5em}\n"
	"#pages td.f .sig{font-size:12px}\n"
	"#pages td.v{white-space:nowrap}\n"
	"#pages td.e{min-width:10em;max-width:28em;font-size:13px}\n"
	"#pages .t{font-size:13px;color:var(--muted)}\n"
	"@page{margin:14mm 12mm}\n"
	"@media print{\n"
	"  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
	"  body{font-size:10pt}\n"
	"  header.top{background:none;padding:0 0 6px}\n"
	"  main{padding:0;max-width:none}\n"
	"  nav,.controls{display:none}\n"
	"  .wide{overflow:visible}\n"
	"  #pages{font-size:7pt;width:100%}\n"
	"  #pages th,#pages td{padding:2px 4px}\n"
	"  #pages td.u,#pages td.ho,#pages td.f,#pages td.e{min-width:0}\n"
	"  #pages th::after{content:none!important}\n"
	"  #pages td.f .sig{font-size:inherit;background:none;padding:0;white-space:normal}\n"
	"  #pages td.e,#pages .t{font-size:inherit}\n"
	"  h2,h3{break-after:avoid}\n"
	"  figure,.card,tr,.tile{break-inside:avoid}\n"
	"  thead{display:table-header-group}\n"
	"  a{color:inherit;text-decoration:none}\n"
	"  .cards{display:block}.card{margin-bottom:8px}\n"
	"}\n";

/*
 * Sorting by a column header, filtering by text and label. It reads the
 * table the page already shows: no data lives in the script, and the page
 * reads well without it (in print or with scripts off).
 */
static const char script[] =
	"(function(){'use strict';\n"
	"var t=document.getElementById('pages');if(!t)return;\n"
	"var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows);\n"
	"var heads=t.tHead.rows[0].cells,q=document.getElementById('q'),"
	"lab=document.getElementById('lab'),shown=document.getElementById('shown');\n"
	"var text=rows.map(function(r){return r.textContent.toLowerCase();});\n"
	"rows.forEach(function(r,i){r.idx=i;r.txt=text[i];});\n"
	"function cell(r,i,num){var c=r.cells[i];"
	"return num?parseFloat(c.getAttribute('data-v')):c.textContent.toLowerCase();}\n"
	"function sortBy(i){var h=heads[i],num=h.getAttribute('data-type')==='num';\n"
	" var cur=h.getAttribute('aria-sort'),first=num&&!h.hasAttribute('data-asc')?-1:1,\n"
	"  dir=cur?(cur==='ascending'?-1:1):first;\n"
	" for(var k=0;k<heads.length;k++)heads[k].removeAttribute('aria-sort');\n"
	" h.setAttribute('aria-sort',dir>0?'ascending':'descending');\n"
	" rows.sort(function(a,b){var x=cell(a,i,num),y=cell(b,i,num);\n"
	"  if(x<y)return -dir;if(x>y)return dir;return a.idx-b.idx;});\n"
	" var f=document.createDocumentFragment();rows.forEach(function(r){f.appendChild(r);});\n"
	" body.appendChild(f);}\n"
	"function filter(){var s=q.value.toLowerCase().trim(),l=lab.value,n=0;\n"
	" rows.forEach(function(r){var ok=(!l||r.getAttribute('data-label')===l)&&"
	"(!s||r.txt.indexOf(s)>=0);r.hidden=!ok;if(ok)n++;});\n"
	" shown.textContent=n===rows.length?'all '+n+' pages':n+' of '+rows.length+' pages';}\n"
	"Array.prototype.forEach.call(heads,function(h,i){h.tabIndex=0;"
	"h.addEventListener('click',function(){sortBy(i);});\n"
	" h.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){"
	"e.preventDefault();sortBy(i);}});});\n"
	"q.addEventListener('input',filter);lab.addEventListener('change',filter);\n"
	"document.getElementById('controls').hidden=false;filter();\n"
	"document.documentElement.setAttribute('data-ready','1');\n"
	"})();\n";

static void base64(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = tab[(v >> 6) & 63];
		out[o++] = tab[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);

		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
}

/* 'sha256-...' of the exact bytes of an inline element, for the CSP. */
static void csp_hash(const char *s, size_t n, char out[64])
{
	struct chaff_digest d;
	unsigned char h[32];

	chaff_digest_init(&d, CHAFF_SHA256);
	chaff_digest_update(&d, s, n);
	chaff_digest_final(&d, h);
	base64(h, sizeof(h), out);
}

/* The style: the fixed part and one colour class per label. */
static void build_css(const struct view *v, struct chaff_buf *css)
{
	size_t i;

	chaff_buf_puts(css, css_base);
	chaff_buf_puts(css, css_parts);
	for (i = 0; i < v->nlabels; i++)
		chaff_buf_printf(css, ".c%zu{background:%s}.b%zu{border-left-color:%s}\n", i,
		                 v->color[i], i, v->color[i]);
}

/* ---- page head -------------------------------------------------------- */

static void head(struct out *o, const struct view *v, const struct chaff_buf *css)
{
	char style_hash[64], script_hash[64];

	csp_hash(css->data, css->len, style_hash);
	csp_hash(script, sizeof(script) - 1, script_hash);
	put(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
	/* First in <head>: nothing from the input may come before the policy. */
	putf(o, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	        "style-src 'sha256-%s'; script-src 'sha256-%s'; img-src 'none'; "
	        "base-uri 'none'; form-action 'none'\">\n", style_hash, script_hash);
	put(o, "<meta name=\"referrer\" content=\"no-referrer\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	       "<meta name=\"generator\" content=\"chaff " CHAFF_VERSION "\">\n<title>chaff report");
	if (v->r->title) {
		put(o, ": ");
		esc(o, v->r->title, SHOW_TITLE);
	}
	put(o, "</title>\n<style>");
	put_n(o, css->data, css->len);
	put(o, "</style>\n</head>\n<body>\n");
}

static void top(struct out *o, const struct view *v)
{
	const struct chaff_report *r = v->r;
	size_t i;

	put(o, "<header class=\"top\">\n<h1>chaff report");
	if (r->title) {
		put(o, ": <span class=\"pd\">");
		esc(o, r->title, SHOW_TITLE);
		put(o, "</span>");
	}
	put(o, "</h1>\n<div class=\"sub\">");
	put_count(o, r->lines);
	put(o, r->lines == 1 ? " line from " : " lines from ");
	for (i = 0; i < r->ninputs && i < 5; i++) {
		put(o, i ? ", <span class=\"pd\">" : "<span class=\"pd\">");
		esc(o, r->inputs[i].name, 120);
		put(o, "</span>");
	}
	if (r->ninputs > 5)
		putf(o, " and %zu more inputs", r->ninputs - 5);
	if (!r->ninputs)
		put(o, "no input");
	if (r->date_min[0]) {
		put(o, " &middot; captured ");
		esc(o, r->date_min, 40);
		if (strcmp(r->date_min, r->date_max)) {
			put(o, " to ");
			esc(o, r->date_max, 40);
		}
	}
	put(o, " &middot; chaff " CHAFF_VERSION "</div>\n<nav><ol>"
	       "<li><a href=\"#overview\">1 Overview</a></li>"
	       "<li><a href=\"#probabilities\">2 Probabilities</a></li>"
	       "<li><a href=\"#hosts\">3 Hosts</a></li>"
	       "<li><a href=\"#signals\">4 Signals</a></li>"
	       "<li><a href=\"#review\">5 Review first</a></li>"
	       "<li><a href=\"#table\">6 Top pages</a></li>"
	       "<li><a href=\"#notes\">About</a></li></ol></nav>\n</header>\n<main>\n");
}

/* ---- 1: overview ------------------------------------------------------ */

static void tile(struct out *o, uint64_t n, const char *what, uint64_t of, const char *ofwhat)
{
	put(o, "<div class=\"tile\"><b>");
	put_count(o, n);
	put(o, "</b><span>");
	put(o, what);
	if (ofwhat) {
		put(o, " &middot; ");
		put_pct(o, n, of);
		put(o, " of ");
		put(o, ofwhat);
	}
	put(o, "</span></div>\n");
}

static void legend(struct out *o, const struct view *v)
{
	size_t i;

	put(o, "<div class=\"legend\" aria-label=\"label colours\">");
	for (i = 0; i < v->nlabels; i++) {
		put(o, "<span>");
		label_tag(o, v, i);
		if (!is_flagged(v, i))
			put(o, " <span class=\"muted\">(needs no review)</span>");
		put(o, "</span>");
	}
	put(o, "</div>\n");
}

/* Horizontal bars: one per label, direct labels, counts and shares. */
static void label_chart(struct out *o, const struct view *v)
{
	const struct chaff_report *r = v->r;
	const double left = 190, barmax = 430, rowh = 30;
	uint64_t max = 1, known = 0;
	size_t i, rows = 0;
	double h;

	for (i = 0; i < v->nlabels; i++) {
		if (r->label[i].predicted > max)
			max = r->label[i].predicted;
		known += r->label[i].predicted;
		rows++;
	}
	h = rowh * (double)rows + 34;
	putf(o, "<figure><svg role=\"img\" width=\"800\" height=\"%.0f\" viewBox=\"0 0 800 %.0f\" "
	        "aria-labelledby=\"lc-t\"><title id=\"lc-t\">Pages per label</title>\n", h, h);
	for (i = 0; i < v->nlabels; i++) {
		double y = 8 + rowh * (double)i;
		double w = barmax * (double)r->label[i].predicted / (double)max;
		char buf[32];

		putf(o, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">", left - 10, y + 17);
		esc(o, label_name(v, i), 28);
		putf(o, "</text><rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"22\" fill=\"%s\">"
		        "<title>", left, y + 2, w < 1 && r->label[i].predicted ? 1 : w, v->color[i]);
		esc(o, label_name(v, i), SHOW_NAME);
		putf(o, ": %s %s</title></rect>", count_str(r->label[i].predicted, buf),
		     pages(r->label[i].predicted));
		putf(o, "<text x=\"%.1f\" y=\"%.1f\">%s %s &#183; ", left + w + 8, y + 17, buf,
		     pages(r->label[i].predicted));
		put_pct(o, r->label[i].predicted, r->scored);
		put(o, "</text>\n");
	}
	putf(o, "<line class=\"axis\" x1=\"%.0f\" x2=\"%.0f\" y1=\"4\" y2=\"%.0f\"/>\n", left, left,
	     h - 26);
	putf(o, "<text class=\"m\" x=\"%.0f\" y=\"%.0f\">bar length: pages with that verdict "
	        "(share of all scored pages)</text>\n</svg>", left, h - 8);
	put(o, "<figcaption>Each scored page gets the label with the highest probability.");
	if (r->over_labels) {
		put(o, " ");
		put_count(o, r->over_labels);
		put(o, " scored pages named a label beyond the ");
		putf(o, "%d", RPT_MAX_LABELS);
		put(o, " this report tracks and are not counted here.");
	}
	if (known + r->over_labels < r->scored) {
		put(o, " ");
		put_count(o, r->scored - known - r->over_labels);
		put(o, " scored pages carried no usable label or probability and are not counted "
		       "here.");
	}
	put(o, "</figcaption></figure>\n");
}

static void reason_table(struct out *o, const char *caption, const struct rpt_names *names,
                         const struct rpt_reason *counts, uint64_t other, uint64_t total,
                         const char *what)
{
	size_t *idx, i, k, n = names->n;

	if (!total)
		return;
	/* Largest first; ties by name, so the page is the same every run. */
	idx = chaff_xcalloc(n ? n : 1, sizeof(*idx));
	for (i = 0; i < n; i++) {
		idx[i] = i;
		for (k = i; k > 0; k--) {
			size_t a = idx[k - 1], b = idx[k];

			if (counts[a].count > counts[b].count ||
			    (counts[a].count == counts[b].count &&
			     strcmp(names->name[a], names->name[b]) <= 0))
				break;
			idx[k - 1] = b;
			idx[k] = a;
		}
	}
	putf(o, "<div><h3>%s</h3><table><thead><tr><th>%s</th><th class=\"n\">records</th>"
	        "<th class=\"n\">share</th></tr></thead><tbody>\n", caption, what);
	for (i = 0; i < n; i++) {
		put(o, "<tr><td class=\"pd\">");
		esc(o, names->name[idx[i]], SHOW_NAME);
		put(o, "</td><td class=\"n\">");
		put_count(o, counts[idx[i]].count);
		put(o, "</td><td class=\"n\">");
		put_pct(o, counts[idx[i]].count, total);
		put(o, "</td></tr>\n");
	}
	if (other) {
		put(o, "<tr><td class=\"muted\">(other)</td><td class=\"n\">");
		put_count(o, other);
		put(o, "</td><td class=\"n\">");
		put_pct(o, other, total);
		put(o, "</td></tr>\n");
	}
	put(o, "</tbody></table></div>\n");
	free(idx);
}

static void overview(struct out *o, const struct view *v)
{
	const struct chaff_report *r = v->r;

	put(o, "<section id=\"overview\"><h2>1. Overview</h2>\n<p class=\"lede\">How much of "
	       "the run was scored, and what the model made of it. Every input line is counted "
	       "once: as a scored page, a record skipped by <code>chaff bulk</code> (with its "
	       "reason), a page that failed, or a malformed line.</p>\n<div class=\"tiles\">\n");
	tile(o, r->records, "records", 0, NULL);
	tile(o, r->scored, "scored pages", r->records, "records");
	tile(o, r->skipped, "skipped records", r->records, "records");
	tile(o, r->failed, "failed pages", r->records, "records");
	if (r->no_verdict)
		tile(o, r->no_verdict, "records without a verdict", r->records, "records");
	tile(o, r->malformed, "malformed lines", r->lines, "lines");
	put(o, "</div>\n");
	if (!r->scored) {
		put(o, "<p>No scored page in the input: the sections below are empty.</p>\n");
	} else {
		put(o, "<h3>Verdicts</h3>\n");
		legend(o, v);
		label_chart(o, v);
	}
	put(o, "<div class=\"row\">\n");
	reason_table(o, "Records not scored, by reason", &r->reasons, r->reason,
	             r->reason_other, r->skipped, "skipped because");
	reason_table(o, "Pages that failed, by kind of failure", &r->errors, r->error,
	             r->error_other, r->failed, "failure");
	put(o, "</div>\n</section>\n");
}

/* ---- 2: probability histograms ---------------------------------------- */

static double nice_ceil(double x)
{
	double p = pow(10, floor(log10(x))), m = x / p;

	if (m <= 1)
		return p;
	if (m <= 2)
		return 2 * p;
	if (m <= 5)
		return 5 * p;
	return 10 * p;
}

static void histogram(struct out *o, const struct view *v, size_t label)
{
	const struct rpt_label *l = &v->r->label[label];
	const double W = 360, H = 220, x0 = 62, x1 = W - 14, y0 = 34, y1 = H - 46;
	uint64_t max = 0, minnz = UINT64_MAX;
	bool logy;
	double ymax, t;
	size_t b;
	char buf[32];

	for (b = 0; b < RPT_BINS; b++) {
		if (l->bins[b] > max)
			max = l->bins[b];
		if (l->bins[b] && l->bins[b] < minnz)
			minnz = l->bins[b];
	}
	/* Most pages sit near 0 or 1: a log scale keeps the middle visible. */
	logy = max >= 100 && max / minnz >= 50;
	ymax = logy ? pow(10, ceil(log10((double)max))) : nice_ceil(max ? (double)max : 1);
	putf(o, "<figure><svg role=\"img\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">"
	        "<title>Histogram of p(", W, H, W, H);
	esc(o, label_name(v, label), SHOW_NAME);
	put(o, ")</title>\n<text class=\"t\" x=\"4\" y=\"16\">p(");
	esc(o, label_name(v, label), 40);
	putf(o, ") over %s %s</text>\n", count_str(l->scored, buf), pages(l->scored));
	/* y grid and ticks */
	if (logy) {
		for (t = 1; t <= ymax; t *= 10) {
			double y = y1 - (y1 - y0) * log10(t) / log10(ymax);

			putf(o, "<line class=\"grid\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\"/>"
			        "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
			     x0, x1, y, y, x0 - 5, y + 4, count_str((uint64_t)t, buf));
		}
	} else {
		for (b = 0; b <= 4; b++) {
			double val = ymax * (double)b / 4, y = y1 - (y1 - y0) * (double)b / 4;

			if (val != floor(val))
				continue;
			putf(o, "<line class=\"grid\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\"/>"
			        "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
			     x0, x1, y, y, x0 - 5, y + 4, count_str((uint64_t)val, buf));
		}
	}
	for (b = 0; b < RPT_BINS; b++) {
		double bw = (x1 - x0) / RPT_BINS, x = x0 + bw * (double)b, hgt;

		if (!l->bins[b])
			continue;
		if (logy)
			hgt = (y1 - y0) * log10((double)l->bins[b]) / log10(ymax);
		else
			hgt = (y1 - y0) * (double)l->bins[b] / ymax;
		if (hgt < 1.5)
			hgt = 1.5;  /* a bin with pages never disappears */
		putf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
		        "<title>%.2f to %.2f: %s %s</title></rect>\n", x + 0.5, y1 - hgt, bw - 1,
		     hgt, v->color[label], (double)b / RPT_BINS, (double)(b + 1) / RPT_BINS,
		     count_str(l->bins[b], buf), pages(l->bins[b]));
	}
	putf(o, "<line class=\"axis\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\"/>"
	        "<line class=\"axis\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\"/>\n",
	     x0, x1, y1, y1, x0, x0, y0, y1);
	for (b = 0; b <= 4; b++) {
		double x = x0 + (x1 - x0) * (double)b / 4;

		putf(o, "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\"/>"
		        "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%g</text>\n",
		     x, x, y1, y1 + 4, x, y1 + 17, (double)b / 4);
	}
	putf(o, "<text class=\"m\" x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">probability "
	        "given to this label</text>\n", (x0 + x1) / 2, H - 10);
	putf(o, "<text class=\"m\" transform=\"translate(14 %.0f) rotate(-90)\" "
	        "text-anchor=\"middle\">%s</text>\n</svg></figure>\n", (y0 + y1) / 2,
	     logy ? "pages (log scale)" : "pages");
}

static void probabilities(struct out *o, const struct view *v)
{
	size_t i;

	put(o, "<section id=\"probabilities\"><h2>2. How sure is the model?</h2>\n"
	       "<p class=\"lede\">For each label, how many pages got each probability of it, in "
	       "bins of 0.05. Tall bars at the far right are confident verdicts; pages in the "
	       "middle are the uncertain ones worth a look.</p>\n<div class=\"multiples\">\n");
	for (i = 0; i < v->nlabels; i++)
		if (v->r->label[i].scored)
			histogram(o, v, i);
	put(o, "</div>\n</section>\n");
}

/* ---- 3: hosts --------------------------------------------------------- */

static void share_bar(struct out *o, double share, const char *color)
{
	double w = 80 * (share < 0 ? 0 : share > 1 ? 1 : share);

	putf(o, "<svg width=\"82\" height=\"12\" aria-hidden=\"true\"><rect x=\"0.5\" y=\"0.5\" "
	        "width=\"81\" height=\"11\" fill=\"#fff\" stroke=\"#bbb\"/><rect x=\"1\" y=\"1\" "
	        "width=\"%.1f\" height=\"10\" fill=\"%s\"/></svg>", w, color);
}

static void host_table(struct out *o, const struct view *v, size_t label)
{
	const struct chaff_report *r = v->r;
	const struct rpt_topk *t = r->label[label].hosts;
	size_t n, i, *idx = rpt_topk_sorted(t, &n);
	bool approx = false;

	put(o, "<h3>Hosts with the most ");
	label_tag(o, v, label);
	put(o, " pages</h3>\n<table><thead><tr><th class=\"n\">#</th><th>host</th>"
	       "<th class=\"n\">pages</th><th class=\"n\">share of all ");
	esc(o, label_name(v, label), SHOW_NAME);
	put(o, "</th><th class=\"n\">host&#8217;s scored pages</th><th colspan=\"2\">share of the "
	       "host&#8217;s pages</th></tr></thead><tbody>\n");
	for (i = 0; i < n && i < HOST_ROWS; i++) {
		const struct rpt_host *h = &t->e[idx[i]];
		uint64_t count = h->count, total = rpt_cms_get(r, h->name, 0xFF);
		uint64_t cms = rpt_cms_get(r, h->name, (unsigned)label);

		if (cms < count)
			count = cms;  /* both over-estimate: the smaller is closer */
		if (total < count)
			total = count;
		putf(o, "<tr><td class=\"n\">%zu</td><td class=\"pd\">", i + 1);
		esc(o, h->name, SHOW_HOST);
		put(o, "</td><td class=\"n\">");
		if (h->err && count > h->count - h->err) {
			approx = true;
			put(o, "&#8776;");
		}
		put_count(o, count);
		put(o, "</td><td class=\"n\">");
		put_pct(o, count, r->label[label].predicted);
		put(o, "</td><td class=\"n\">");
		put_count(o, total);
		put(o, "</td><td class=\"n\">");
		put_pct(o, count, total);
		put(o, "</td><td>");
		share_bar(o, (double)count / (double)total, v->color[label]);
		put(o, "</td></tr>\n");
	}
	put(o, "</tbody></table>\n");
	if (approx)
		put(o, "<p class=\"note\">&#8776; marks an estimate: more distinct hosts than the "
		       "report keeps counters for were seen, so this host&#8217;s count may include "
		       "pages counted before it was tracked.</p>\n");
	free(idx);
}

static void hosts(struct out *o, const struct view *v)
{
	size_t i, shown = 0;

	put(o, "<section id=\"hosts\"><h2>3. Hosts</h2>\n<p class=\"lede\">Where the flagged "
	       "pages come from: the hosts with the most pages of each label that needs review, "
	       "with their share of that label and the share of the host&#8217;s own scored "
	       "pages it makes up.</p>\n");
	for (i = 0; i < v->nlabels; i++) {
		if (!is_flagged(v, i) || !v->r->label[i].hosts)
			continue;
		host_table(o, v, i);
		shown++;
	}
	if (!shown)
		put(o, "<p>No page got a label that needs review.</p>\n");
	put(o, "</section>\n");
}

/* ---- 4: signals ------------------------------------------------------- */

static double fire_rate(const struct chaff_report *r, size_t label, size_t sig)
{
	const struct rpt_label *l = &r->label[label];

	return l->predicted ? (double)l->fires[sig] / (double)l->predicted : 0;
}

/* The product's named signals first, then the most label-specific. */
static double spread(const struct view *v, size_t sig)
{
	double lo = 1, hi = 0;
	size_t i;

	for (i = 0; i < v->nlabels; i++) {
		double f;

		if (!v->r->label[i].predicted)
			continue;
		f = fire_rate(v->r, i, sig);
		lo = f < lo ? f : lo;
		hi = f > hi ? f : hi;
	}
	return hi > lo ? hi - lo : 0;
}

static void order_signals(struct view *v)
{
	const struct rpt_names *s = &v->r->signals;
	double key[RPT_MAX_SIGNALS];
	size_t i, k;

	v->nsignals = s->n;
	for (i = 0; i < s->n; i++) {
		int named = chaff_signal_index(s->name[i]);

		key[i] = named >= 0 && named < CHAFF_SIG_NAMED_COUNT ? 10 - named : spread(v, i);
		v->order[i] = i;
		for (k = i; k > 0 && key[v->order[k]] > key[v->order[k - 1]]; k--) {
			size_t t = v->order[k];

			v->order[k] = v->order[k - 1];
			v->order[k - 1] = t;
		}
	}
}

static int heat_class(double f)
{
	static const double edge[] = {0, 0.05, 0.15, 0.30, 0.50, 0.75};
	int c = 0;

	while (c < 6 && f > edge[c])
		c++;
	return c;
}

/* How a signal behaved over the labels with pages. */
enum fires { FIRES_NEVER, FIRES_SOME, FIRES_ALWAYS };

static enum fires fires(const struct chaff_report *r, const struct view *v, size_t sig)
{
	bool never = true, always = true;
	size_t i;

	for (i = 0; i < v->nlabels; i++) {
		if (!r->label[i].predicted)
			continue;
		never = never && !r->label[i].fires[sig];
		always = always && r->label[i].fires[sig] == r->label[i].predicted;
	}
	return never ? FIRES_NEVER : always ? FIRES_ALWAYS : FIRES_SOME;
}

static bool named(const char *signal)
{
	int i = chaff_signal_index(signal);

	return i >= 0 && i < CHAFF_SIG_NAMED_COUNT;
}

/* Signals left out of the table, listed by name. */
static void signal_list(struct out *o, const struct view *v, enum fires which, const char *what)
{
	const struct chaff_report *r = v->r;
	size_t k, n = 0;

	for (k = 0; k < v->nsignals; k++) {
		size_t s = v->order[k];

		if (named(r->signals.name[s]) || fires(r, v, s) != which)
			continue;
		put(o, n++ ? ", " : what);
		put(o, "<span class=\"sig pd\">");
		esc(o, r->signals.name[s], SHOW_NAME);
		put(o, "</span>");
	}
	if (n)
		put(o, ".</p>\n");
}

static void signal_row(struct out *o, const struct view *v, size_t s)
{
	const struct chaff_report *r = v->r;
	size_t i;

	put(o, "<tr><td><span class=\"sig pd\">");
	esc(o, r->signals.name[s], SHOW_NAME);
	put(o, "</span></td>");
	for (i = 0; i < v->nlabels; i++) {
		if (!r->label[i].predicted)
			continue;
		putf(o, "<td class=\"h h%d\">", heat_class(fire_rate(r, i, s)));
		put_pct(o, r->label[i].fires[s], r->label[i].predicted);
		put(o, "</td>");
	}
	put(o, "</tr>\n");
}

static void signals(struct out *o, const struct view *v)
{
	const struct chaff_report *r = v->r;
	size_t i, k;

	put(o, "<section id=\"signals\"><h2>4. Which signals fire, per label</h2>\n"
	       "<p class=\"lede\">The share of pages with each verdict on which a signal fired "
	       "(value above 0). The five named signals come first, then the others, most "
	       "label-specific first.</p>\n");
	if (!r->signals.n || !r->scored) {
		put(o, "<p>The input carried no signals.</p>\n</section>\n");
		return;
	}
	put(o, "<p class=\"note\">Shading: <span class=\"key h0\">0&#8239;%</span>"
	       "<span class=\"key h1\">up to 5&#8239;%</span><span class=\"key h2\">5&#8211;15</span>"
	       "<span class=\"key h3\">15&#8211;30</span><span class=\"key h4\">30&#8211;50</span>"
	       "<span class=\"key h5\">50&#8211;75</span><span class=\"key h6\">over 75&#8239;%"
	       "</span></p>\n<div class=\"wide\"><table class=\"heat\"><thead><tr><th>signal</th>");
	for (i = 0; i < v->nlabels; i++) {
		if (!r->label[i].predicted)
			continue;
		put(o, "<th class=\"n\">");
		label_tag(o, v, i);
		put(o, "<br><span class=\"muted\">");
		put_count(o, r->label[i].predicted);
		putf(o, " %s</span></th>", pages(r->label[i].predicted));
	}
	put(o, "</tr></thead><tbody>\n");
	for (k = 0; k < v->nsignals; k++) {
		size_t s = v->order[k];

		if (named(r->signals.name[s]) || fires(r, v, s) == FIRES_SOME)
			signal_row(o, v, s);
	}
	put(o, "</tbody></table></div>\n");
	signal_list(o, v, FIRES_NEVER, "<p class=\"note\">Never fired: ");
	signal_list(o, v, FIRES_ALWAYS, "<p class=\"note\">Above 0 on every page (measures "
	                                "rather than detectors): ");
	put(o, "</section>\n");
}

/* ---- 5: review first -------------------------------------------------- */

static void place(struct out *o, const struct chaff_report *r, const struct rpt_page *p)
{
	put(o, "<span class=\"pd\">");
	esc(o, r->inputs[p->input].name, 80);
	putf(o, "</span>:%llu", (unsigned long long)p->line);
}

static void scores_line(struct out *o, const struct view *v, const struct rpt_page *p)
{
	size_t order[RPT_MAX_LABELS], n = 0, i, k;

	for (i = 0; i < v->nlabels; i++) {
		if (!p->has_prob[i])
			continue;
		order[n] = i;
		for (k = n++; k > 0 && p->prob[order[k]] > p->prob[order[k - 1]]; k--) {
			size_t t = order[k];

			order[k] = order[k - 1];
			order[k - 1] = t;
		}
	}
	for (i = 0; i < n; i++) {
		put(o, i ? ", " : "");
		esc(o, label_name(v, order[i]), SHOW_NAME);
		putf(o, " %.2f", p->prob[order[i]]);
	}
}

static void card(struct out *o, const struct view *v, const struct rpt_page *p)
{
	const struct chaff_report *r = v->r;
	size_t i;

	putf(o, "<article class=\"card b%u\"><h4>",
	     p->label < v->nlabels ? (unsigned)p->label : 0u);
	label_tag(o, v, p->label);
	if (p->label < v->nlabels && p->has_prob[p->label])
		putf(o, " %.2f", p->prob[p->label]);
	put(o, " &middot; ");
	link(o, p->url, SHOW_URL);
	put(o, "</h4>\n<div class=\"meta\"><span class=\"pd\">");
	esc(o, p->host, SHOW_HOST);
	put(o, "</span> &middot; ");
	place(o, r, p);
	put(o, "</div>\n");
	if (p->title) {
		put(o, "<p><b>title:</b> <span class=\"pd\">");
		esc(o, p->title, SHOW_TITLE);
		put(o, "</span></p>\n");
	}
	put(o, "<p><b>scores:</b> ");
	scores_line(o, v, p);
	put(o, "</p>\n");
	if (p->nev) {
		put(o, "<ul class=\"ev\">");
		for (i = 0; i < p->nev; i++) {
			put(o, "<li><span class=\"sig pd\">");
			esc(o, p->ev_signal[i] < r->signals.n ? r->signals.name[p->ev_signal[i]] : "?",
			    SHOW_NAME);
			put(o, "</span> <q class=\"pd\">");
			esc(o, p->ev[i], SHOW_EV);
			put(o, "</q></li>");
		}
		put(o, "</ul>\n");
	} else {
		put(o, "<p class=\"muted\">No evidence strings.</p>\n");
	}
	if (p->ntop) {
		put(o, "<p><b>decisive:</b> ");
		for (i = 0; i < p->ntop; i++) {
			putf(o, "%s%+.2f <span class=\"sig pd\">", i ? ", " : "", p->top_value[i]);
			esc(o, p->top_feature[i], SHOW_NAME);
			put(o, "</span>");
		}
		put(o, "</p>\n");
	}
	put(o, "</article>\n");
}

static void cards(struct out *o, const struct view *v, const struct rpt_heap *h)
{
	size_t n, i;
	struct rpt_page **pages = rpt_heap_sorted(h, &n);

	put(o, "<div class=\"cards\">\n");
	for (i = 0; i < n; i++)
		card(o, v, pages[i]);
	put(o, "</div>\n");
	free(pages);
}

static void review(struct out *o, const struct view *v)
{
	const struct chaff_report *r = v->r;
	size_t i;

	put(o, "<section id=\"review\"><h2>5. Review first</h2>\n<p class=\"lede\">The pages "
	       "the model is surest about for each label that needs review, then the pages it is "
	       "least sure about (the smallest gap between its two most likely labels), with the "
	       "evidence that made the signals fire. Links open the page itself: they lead to "
	       "the web, not to a copy.</p>\n");
	for (i = 0; i < v->nlabels; i++) {
		if (!is_flagged(v, i) || !r->label[i].confident.n)
			continue;
		put(o, "<h3>Most confident ");
		label_tag(o, v, i);
		put(o, "</h3>\n");
		cards(o, v, &r->label[i].confident);
	}
	if (r->uncertain.n) {
		put(o, "<h3>Most uncertain</h3>\n");
		cards(o, v, &r->uncertain);
	}
	if (!r->scored)
		put(o, "<p>No scored page.</p>\n");
	put(o, "</section>\n");
}

/* ---- 6: the page table ------------------------------------------------ */

static void fired_names(struct out *o, const struct view *v, const struct rpt_page *p)
{
	size_t k, n = 0;

	for (k = 0; k < v->nsignals && n < 4; k++) {
		size_t s = v->order[k];
		int named = chaff_signal_index(v->r->signals.name[s]);

		if (named < 0 || named >= CHAFF_SIG_NAMED_COUNT || !rpt_signal_fired(p, s))
			continue;
		put(o, n++ ? " <span class=\"sig pd\">" : "<span class=\"sig pd\">");
		esc(o, v->r->signals.name[s], SHOW_NAME);
		put(o, "</span>");
	}
}

static void table_row(struct out *o, const struct view *v, const struct rpt_page *p,
                      size_t rank, bool per_label)
{
	size_t i;

	put(o, "<tr data-label=\"");
	if (p->label < v->nlabels)
		esc(o, label_name(v, p->label), SHOW_NAME);
	putf(o, "\"><td class=\"n\" data-v=\"%zu\">%zu</td><td class=\"u\">", rank, rank);
	link(o, p->url, SHOW_URL);
	if (p->title) {
		put(o, "<div class=\"t pd\">");
		esc(o, p->title, 120);
		put(o, "</div>");
	}
	put(o, "</td><td class=\"ho pd\">");
	esc(o, p->host, 60);
	put(o, "</td><td class=\"v\">");
	label_tag_cut(o, v, p->label, SHOW_SHORT);
	put(o, "</td>");
	for (i = 0; i < v->nlabels; i++) {
		float pr;

		if (per_label)
			pr = p->has_prob[i] ? p->prob[i] : -1;
		else if (i == 0)
			pr = p->label < v->nlabels && p->has_prob[p->label] ? p->prob[p->label] : -1;
		else
			break;
		if (pr < 0)
			put(o, "<td class=\"n\" data-v=\"-1\">&#8212;</td>");
		else
			putf(o, "<td class=\"n\" data-v=\"%.4f\">%.2f</td>", pr, pr);
	}
	put(o, "<td class=\"f\">");
	fired_names(o, v, p);
	put(o, "</td><td class=\"e pd\">");
	if (p->nev)
		esc(o, p->ev[0], 140);
	put(o, "</td></tr>\n");
}

static void page_table(struct out *o, const struct view *v)
{
	const struct chaff_report *r = v->r;
	bool per_label = v->nlabels <= PROB_COLUMNS_MAX;
	size_t n, i;
	struct rpt_page **pages = rpt_heap_sorted(&r->table, &n);

	put(o, "<section id=\"table\"><h2>6. Top pages</h2>\n<p class=\"lede\">The ");
	put_count(o, n);
	put(o, r->good_index >= 0 ? " pages least likely to be " : " pages with the most "
	       "confident verdicts");
	if (r->good_index >= 0) {
		esc(o, label_name(v, (size_t)r->good_index), SHOW_NAME);
		put(o, " (highest 1&#8239;&#8722;&#8239;p(");
		esc(o, label_name(v, (size_t)r->good_index), SHOW_NAME);
		put(o, "))");
	}
	put(o, ", most in need of review first. Click a column heading to sort; type to "
	       "filter by URL, host, title, signal or evidence.</p>\n");
	put(o, "<div class=\"controls\" id=\"controls\" hidden><label>Filter <input id=\"q\" "
	       "type=\"search\" placeholder=\"host, URL, words of the evidence\"></label>"
	       "<label>Label <select id=\"lab\"><option value=\"\">all labels</option>");
	for (i = 0; i < v->nlabels; i++) {
		put(o, "<option value=\"");
		esc(o, label_name(v, i), SHOW_NAME);
		put(o, "\">");
		esc(o, label_name(v, i), SHOW_NAME);
		put(o, "</option>");
	}
	put(o, "</select></label><span id=\"shown\" class=\"muted\" aria-live=\"polite\"></span>"
	       "</div>\n<div class=\"wide\"><table id=\"pages\"><thead><tr>"
	       "<th class=\"n\" data-type=\"num\" data-asc=\"1\">#</th><th>page</th><th>host</th>"
	       "<th>verdict</th>");
	if (per_label) {
		for (i = 0; i < v->nlabels; i++) {
			put(o, "<th class=\"n\" data-type=\"num\">p(");
			esc(o, label_name(v, i), SHOW_SHORT);
			put(o, ")</th>");
		}
	} else {
		put(o, "<th class=\"n\" data-type=\"num\">p(verdict)</th>");
	}
	put(o, "<th>signals fired</th><th>evidence</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < n; i++)
		table_row(o, v, pages[i], i + 1, per_label);
	put(o, "</tbody></table></div>\n</section>\n");
	free(pages);
}

/* ---- notes ------------------------------------------------------------ */

static void notes(struct out *o, const struct view *v)
{
	const struct chaff_report *r = v->r;
	size_t i;

	put(o, "<section id=\"notes\"><h2>About this report</h2>\n<ul class=\"note\">\n"
	       "<li>Probabilities are the model&#8217;s calibrated scores (they sum to 1 over the "
	       "labels); a page&#8217;s verdict is its most probable label.</li>\n<li>");
	if (r->good_index >= 0) {
		put(o, "Every label but <b class=\"pd\">");
		esc(o, label_name(v, (size_t)r->good_index), SHOW_NAME);
		put(o, "</b> is treated as needing review.");
	} else {
		put(o, "No label was named as the one needing no review (<code>--good</code>): "
		       "every label is treated as needing review.");
	}
	put(o, "</li>\n<li>Host counts are exact unless marked &#8776;; a host&#8217;s total "
	       "of scored pages comes from a count-min sketch and may be over by a few pages on "
	       "runs of millions of pages.</li>\n<li>Evidence is quoted from the pages, cut to a "
	       "few hundred characters; page text is shown as text, never run.</li>\n");
	if (r->archives.n) {
		put(o, "<li>Records came from ");
		put_count(o, r->archives.n);
		put(o, r->archives_over ? " or more archives.</li>\n" : " archives.</li>\n");
	}
	if (r->malformed) {
		put(o, "<li>Malformed lines (not JSON objects) were skipped; the first: ");
		for (i = 0; i < r->nbad; i++) {
			put(o, i ? ", <span class=\"pd\">" : "<span class=\"pd\">");
			esc(o, r->inputs[r->bad_inputs[i]].name, 80);
			putf(o, "</span>:%llu", (unsigned long long)r->bad_lines[i]);
		}
		put(o, ".</li>\n");
	}
	put(o, "</ul>\n<table><caption class=\"muted\">Inputs</caption><thead><tr><th>input</th>"
	       "<th class=\"n\">lines</th><th class=\"n\">malformed</th></tr></thead><tbody>\n");
	for (i = 0; i < r->ninputs && i < 200; i++) {
		put(o, "<tr><td class=\"pd\">");
		esc(o, r->inputs[i].name, 200);
		put(o, "</td><td class=\"n\">");
		put_count(o, r->inputs[i].lines);
		put(o, "</td><td class=\"n\">");
		put_count(o, r->inputs[i].malformed);
		put(o, "</td></tr>\n");
	}
	if (r->ninputs > 200)
		putf(o, "<tr><td colspan=\"3\">and %zu more</td></tr>\n", r->ninputs - 200);
	put(o, "</tbody></table>\n<p class=\"note\">Made by chaff " CHAFF_VERSION
	       " (<code>chaff report</code>). The page is self-contained: it loads nothing from "
	       "the network.</p>\n</section>\n");
}

enum chaff_err chaff_report_html(const struct chaff_report *r, struct chaff_buf *out)
{
	struct view v;
	struct out o = {out, CHAFF_OK};
	struct chaff_buf css;

	memset(&v, 0, sizeof(v));
	v.r = r;
	v.nlabels = r->labels.n;
	assign_colors(&v);
	order_signals(&v);
	chaff_buf_init(&css, (size_t)1 << 20);
	build_css(&v, &css);
	head(&o, &v, &css);
	top(&o, &v);
	overview(&o, &v);
	probabilities(&o, &v);
	hosts(&o, &v);
	signals(&o, &v);
	review(&o, &v);
	page_table(&o, &v);
	notes(&o, &v);
	put(&o, "</main>\n<script>");
	put_n(&o, script, sizeof(script) - 1);
	put(&o, "</script>\n</body>\n</html>\n");
	chaff_buf_release(&css);
	return o.err;
}
