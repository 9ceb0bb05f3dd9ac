/* Sub-indices, class labels, and the whole-batch table behind the appendix and xlsx writers.
 * The appendix CSV layout is documented in report.c's header comment and docs/reports.md. */
#include "report_table.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char RT_TITLE_TOTAL[] = "Tổng điểm";
const char RT_TITLE_MAX[] = "Điểm tối đa của đơn vị";
const char RT_TITLE_INDEX[] = "Chỉ số CCHC (%)";
const char RT_TITLE_RANK[] = "Xếp hạng";
const char RT_TITLE_RANK_TOTAL[] = "Xếp hạng (theo tổng điểm)";
const char RT_TITLE_CLASS[] = "Xếp loại";

bool report_area_index(const ruleset *rs, const node *n, const node_result *x, dec_t *out)
{
    if (!n || n->kind == NODE_BONUS) return false;
    if (x->status == ST_EXCLUDED || x->status == ST_MISSING || x->status == ST_ERROR) return false;
    if (x->max.num <= 0) return false;
    return dec_percent(x->score, x->max, rs->round_index ? rs->index_places : -1, rs->index_mode, out) == DEC_OK;
}

const char *report_class_label(const ruleset *rs, const unit_total *t)
{
    if (t->status != ST_SCORED || !t->index_ok) return NULL;
    if (t->class_index < 0 || t->class_index >= rs->n_classes) return NULL;
    return rs->classes[t->class_index].text;
}

bool report_rankable(const unit_total *t, report_rank_by by)
{
    if (t->status != ST_SCORED) return false;
    return by == RANK_BY_TOTAL || t->index_ok;
}

dec_t report_declared_total(const ruleset *rs)
{
    dec_t sum = dec_from_int(0);
    for (int i = 0; i < rs->n_top; i++) {
        if (rs->top[i]->kind == NODE_BONUS) continue;
        dec_t s;
        if (dec_add(sum, rs->top[i]->max, &s) == DEC_OK) sum = s;
    }
    return sum;
}

int report_n_areas(const ruleset *rs)
{
    int n = 0;
    for (int i = 0; i < rs->n_top; i++) n += rs->top[i]->kind != NODE_BONUS;
    return n;
}

/* ---- the table ---- */

typedef struct {
    size_t name_off;
    dec_t total, max, index;
    uint8_t status;
    bool index_ok;
    int32_t class_index;
    long rank;
} unit_rec;

struct rtable {
    const ruleset *rs;
    int n_nodes, n_areas;
    const node **areas;
    size_t n, cap;
    dec_t *scores;     /* [cap * n_nodes] */
    uint8_t *status;   /* [cap * n_nodes] */
    dec_t *aidx;       /* [cap * n_areas] */
    bool *aok;         /* [cap * n_areas] */
    unit_rec *units;   /* [cap] */
    size_t *order;     /* [n] after rtable_rank */
    size_t n_ranked;
    char *names;
    size_t names_len, names_cap;
};

rtable *rtable_new(const ruleset *rs)
{
    rtable *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->rs = rs;
    t->n_nodes = rs->n_nodes;
    t->n_areas = report_n_areas(rs);
    if (t->n_areas > 0) {
        t->areas = malloc((size_t)t->n_areas * sizeof *t->areas);
        if (!t->areas) {
            free(t);
            return NULL;
        }
        int a = 0;
        for (int i = 0; i < rs->n_top; i++)
            if (rs->top[i]->kind != NODE_BONUS) t->areas[a++] = rs->top[i];
    }
    return t;
}

void rtable_free(rtable *t)
{
    if (!t) return;
    free(t->areas);
    free(t->scores);
    free(t->status);
    free(t->aidx);
    free(t->aok);
    free(t->units);
    free(t->order);
    free(t->names);
    free(t);
}

/* realloc of count * size bytes, refusing an overflowing size. */
static void *grow(void *p, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size) return NULL;
    size_t bytes = count * size;
    return realloc(p, bytes ? bytes : 1);
}

static bool reserve_units(rtable *t)
{
    if (t->n < t->cap) return true;
    size_t cap = t->cap ? t->cap * 2 : 16;
    size_t nn = (size_t)t->n_nodes, na = (size_t)t->n_areas;
    if (nn && cap > SIZE_MAX / nn) return false;
    if (na && cap > SIZE_MAX / na) return false;
    void *p;
    if (!(p = grow(t->scores, cap * nn, sizeof *t->scores))) return false;
    t->scores = p;
    if (!(p = grow(t->status, cap * nn, sizeof *t->status))) return false;
    t->status = p;
    if (!(p = grow(t->aidx, cap * na, sizeof *t->aidx))) return false;
    t->aidx = p;
    if (!(p = grow(t->aok, cap * na, sizeof *t->aok))) return false;
    t->aok = p;
    if (!(p = grow(t->units, cap, sizeof *t->units))) return false;
    t->units = p;
    t->cap = cap;
    return true;
}

static bool keep_name(rtable *t, const char *name, size_t *off)
{
    size_t len = strlen(name) + 1;
    if (t->names_cap - t->names_len < len) {
        size_t cap = t->names_cap ? t->names_cap : 1024;
        while (cap - t->names_len < len) {
            if (cap > SIZE_MAX / 2) return false;
            cap *= 2;
        }
        char *p = realloc(t->names, cap);
        if (!p) return false;
        t->names = p;
        t->names_cap = cap;
    }
    memcpy(t->names + t->names_len, name, len);
    *off = t->names_len;
    t->names_len += len;
    return true;
}

int rtable_add(rtable *t, const char *unit, const node_result *res, const unit_total *tot)
{
    if (!reserve_units(t)) return -1;
    unit_rec *u = &t->units[t->n];
    if (!keep_name(t, unit ? unit : "", &u->name_off)) return -1;
    u->total = tot->score;
    u->max = tot->max;
    u->index = tot->index;
    u->status = tot->status;
    u->index_ok = tot->status == ST_SCORED && tot->index_ok;
    u->class_index = tot->class_index;
    u->rank = 0;
    size_t base = t->n * (size_t)t->n_nodes;
    for (int i = 0; i < t->n_nodes; i++) {
        const node_result *x = res ? &res[i] : NULL;
        t->status[base + (size_t)i] = x ? x->status : ST_MISSING;
        t->scores[base + (size_t)i] = x ? x->score : dec_from_int(0);
    }
    base = t->n * (size_t)t->n_areas;
    for (int a = 0; a < t->n_areas; a++) {
        const node *n = t->areas[a];
        t->aok[base + (size_t)a] =
            res && report_area_index(t->rs, n, &res[n->id], &t->aidx[base + (size_t)a]);
    }
    t->n++;
    /* A ranking made before this unit no longer holds. */
    free(t->order);
    t->order = NULL;
    t->n_ranked = 0;
    return 0;
}

typedef struct {
    dec_t key;
    size_t u;
} rank_item;

static int by_key_desc(const void *pa, const void *pb)
{
    const rank_item *a = pa, *b = pb;
    int c = dec_cmp(b->key, a->key);
    if (c) return c;
    return a->u < b->u ? -1 : a->u > b->u;
}

int rtable_rank(rtable *t, report_rank_by by)
{
    free(t->order);
    t->order = NULL;
    t->n_ranked = 0;
    for (size_t u = 0; u < t->n; u++) t->units[u].rank = 0;
    if (t->n == 0) return 0;
    rank_item *items = malloc(t->n * sizeof *items);
    t->order = malloc(t->n * sizeof *t->order);
    if (!items || !t->order) {
        free(items);
        free(t->order);
        t->order = NULL;
        return -1;
    }
    size_t k = 0;
    for (size_t u = 0; u < t->n; u++) {
        const unit_rec *r = &t->units[u];
        bool ok = r->status == ST_SCORED && (by == RANK_BY_TOTAL || r->index_ok);
        if (!ok) continue;
        items[k].key = by == RANK_BY_TOTAL ? r->total : r->index;
        items[k].u = u;
        k++;
    }
    if (k > 1) qsort(items, k, sizeof *items, by_key_desc);
    for (size_t i = 0; i < k; i++) {
        unit_rec *r = &t->units[items[i].u];
        r->rank = (i > 0 && dec_cmp(items[i].key, items[i - 1].key) == 0)
                      ? t->units[items[i - 1].u].rank
                      : (long)i + 1;
        t->order[i] = items[i].u;
    }
    t->n_ranked = k;
    size_t i = k;
    for (size_t u = 0; u < t->n; u++)
        if (t->units[u].rank == 0) t->order[i++] = u;
    free(items);
    return 0;
}

const ruleset *rtable_ruleset(const rtable *t) { return t->rs; }
size_t rtable_n_units(const rtable *t) { return t->n; }
size_t rtable_n_ranked(const rtable *t) { return t->n_ranked; }
int rtable_n_areas(const rtable *t) { return t->n_areas; }
const node *rtable_area(const rtable *t, int a) { return t->areas[a]; }

rtable_unit rtable_unit_at(const rtable *t, size_t u)
{
    const unit_rec *r = &t->units[u];
    rtable_unit x = {t->names + r->name_off, r->total, r->max, r->index, r->status, r->index_ok,
                     r->class_index, r->rank};
    return x;
}

size_t rtable_ranked_at(const rtable *t, size_t i) { return t->order ? t->order[i] : i; }

bool rtable_score(const rtable *t, size_t u, int node, uint8_t *status, dec_t *v)
{
    size_t k = u * (size_t)t->n_nodes + (size_t)node;
    uint8_t s = t->status[k];
    if (status) *status = s;
    if (s == ST_EXCLUDED || s == ST_MISSING || s == ST_ERROR) return false;
    *v = t->scores[k];
    return true;
}

bool rtable_area_index(const rtable *t, size_t u, int a, dec_t *v)
{
    size_t k = u * (size_t)t->n_areas + (size_t)a;
    if (!t->aok[k]) return false;
    *v = t->aidx[k];
    return true;
}

/* ---- the appendix as CSV ---- */

static void put_field(FILE *out, const char *s)
{
    if (!s) return;
    if (!s[strcspn(s, ",\"\r\n")]) {
        fputs(s, out);
        return;
    }
    putc('"', out);
    for (; *s; s++) {
        if (*s == '"') putc('"', out);
        putc(*s, out);
    }
    putc('"', out);
}

static void put_dec(FILE *out, dec_t d)
{
    char num[DEC_FMT_MAX];
    dec_format(d, -1, num, sizeof num);
    fputs(num, out);
}

static void row_start(FILE *out, const char *code, const char *title)
{
    put_field(out, code);
    putc(',', out);
    put_field(out, title);
    putc(',', out);
}

int rtable_write_appendix(const rtable *t, FILE *out, bool nodes, bool rank, report_rank_by by)
{
    const ruleset *rs = t->rs;
    fputs("code,title,max", out);
    for (size_t u = 0; u < t->n; u++) {
        putc(',', out);
        put_field(out, t->names + t->units[u].name_off);
    }
    putc('\n', out);
    for (int i = 0; nodes && i < t->n_nodes; i++) {
        const node *n = rs->nodes[i];
        row_start(out, n->code, n->title);
        if (n->kind == NODE_BONUS) {
            put_dec(out, n->range_lo);
            fputs("..", out);
            put_dec(out, n->range_hi);
        } else {
            put_dec(out, n->max);
        }
        for (size_t u = 0; u < t->n; u++) {
            dec_t v;
            putc(',', out);
            if (rtable_score(t, u, i, NULL, &v)) put_dec(out, v);
        }
        putc('\n', out);
    }

    row_start(out, "TOTAL", RT_TITLE_TOTAL);
    put_dec(out, report_declared_total(rs));
    for (size_t u = 0; u < t->n; u++) {
        putc(',', out);
        if (t->units[u].status == ST_SCORED) put_dec(out, t->units[u].total);
    }
    putc('\n', out);

    row_start(out, "MAX", RT_TITLE_MAX);
    for (size_t u = 0; u < t->n; u++) {
        putc(',', out);
        if (t->units[u].status == ST_SCORED) put_dec(out, t->units[u].max);
    }
    putc('\n', out);

    row_start(out, "INDEX", RT_TITLE_INDEX);
    fputs("100", out);
    for (size_t u = 0; u < t->n; u++) {
        putc(',', out);
        if (t->units[u].index_ok) put_dec(out, t->units[u].index);
    }
    putc('\n', out);

    if (rank) {
        row_start(out, "RANK", by == RANK_BY_TOTAL ? RT_TITLE_RANK_TOTAL : RT_TITLE_RANK);
        fprintf(out, "%zu", t->n_ranked);
        for (size_t u = 0; u < t->n; u++) {
            putc(',', out);
            if (t->units[u].rank > 0) fprintf(out, "%ld", t->units[u].rank);
        }
        putc('\n', out);
    }

    if (rs->n_classes > 0) {
        row_start(out, "CLASS", RT_TITLE_CLASS);
        for (size_t u = 0; u < t->n; u++) {
            rtable_unit x = rtable_unit_at(t, u);
            unit_total tot = {.status = x.status, .index_ok = x.index_ok,
                              .class_index = x.class_index};
            putc(',', out);
            put_field(out, report_class_label(rs, &tot));
        }
        putc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}
