#include "bands.h"

#include <stdlib.h>
#include <string.h>

/* An interval of exact decimals; a missing end is infinite. */
typedef struct {
    bool has_lo, has_hi, lo_in, hi_in;
    dec_t lo, hi;
} iv;

typedef struct {
    iv dom;
    bool discrete; /* counts: only whole numbers */
    bool known;    /* a domain worth checking gaps over */
    const char *what;
} domain;

static int cmp_lo(const iv *a, const iv *b) {
    if (!a->has_lo || !b->has_lo) return a->has_lo - b->has_lo;
    int k = dec_cmp(a->lo, b->lo);
    if (k) return k;
    return (int)b->lo_in - (int)a->lo_in; /* [a before (a */
}

static bool iv_empty(const iv *a, bool discrete) {
    if (a->has_lo && a->has_hi) {
        int k = dec_cmp(a->lo, a->hi);
        if (k > 0 || (k == 0 && !(a->lo_in && a->hi_in))) return true;
    }
    if (discrete && a->has_lo && a->has_hi) {
        /* the smallest whole number in it must not pass the upper end */
        int64_t m = a->lo.num / a->lo.den;
        if (a->lo.num % a->lo.den != 0 && a->lo.num < 0) m--; /* floor */
        if (a->lo.den != 1 || !a->lo_in) m++;
        int k = dec_cmp(dec_from_int(m), a->hi);
        return k > 0 || (k == 0 && !a->hi_in);
    }
    return false;
}

static iv intersect(const iv *a, const iv *b) {
    iv r = *a;
    if (b->has_lo) {
        int k = r.has_lo ? dec_cmp(b->lo, r.lo) : 1;
        if (k > 0 || (k == 0 && !b->lo_in)) { r.lo = b->lo; r.lo_in = b->lo_in; r.has_lo = true; }
    }
    if (b->has_hi) {
        int k = r.has_hi ? dec_cmp(b->hi, r.hi) : -1;
        if (k < 0 || (k == 0 && !b->hi_in)) { r.hi = b->hi; r.hi_in = b->hi_in; r.has_hi = true; }
    }
    return r;
}

/* The first part of `target` that no interval of list[n] covers; false if all is covered. */
static bool first_gap(const iv *target, iv *list, int n, bool discrete, iv *gap) {
    iv *s = malloc(sizeof *s * (size_t)(n ? n : 1));
    if (!s) return false;
    int m = 0;
    for (int i = 0; i < n; i++) {
        iv x = intersect(&list[i], target);
        if (!iv_empty(&x, false)) s[m++] = x;
    }
    for (int i = 1; i < m; i++) /* insertion sort: bands are few */
        for (int j = i; j > 0 && cmp_lo(&s[j], &s[j - 1]) < 0; j--) {
            iv t = s[j]; s[j] = s[j - 1]; s[j - 1] = t;
        }
    /* cur: the lowest point not yet covered, as a lower end */
    iv cur = *target;
    bool found = false;
    for (int i = 0; i < m && !found; i++) {
        iv g = cur;
        g.has_hi = s[i].has_lo;
        g.hi = s[i].lo;
        g.hi_in = !s[i].lo_in;
        if (s[i].has_lo && !iv_empty(&g, discrete)) {
            *gap = g;
            found = true;
            break;
        }
        if (!s[i].has_hi) { free(s); return false; }
        int k = cur.has_lo ? dec_cmp(s[i].hi, cur.lo) : 1;
        if (k > 0 || (k == 0 && s[i].hi_in && cur.lo_in)) {
            cur.has_lo = true;
            cur.lo = s[i].hi;
            cur.lo_in = !s[i].hi_in;
        }
    }
    if (!found && !iv_empty(&cur, discrete)) {
        *gap = cur;
        found = true;
    }
    free(s);
    return found;
}

static iv pattern_iv(const pattern *p) {
    iv r;
    memset(&r, 0, sizeof r);
    if (p->kind == PAT_EQ) {
        r.has_lo = r.has_hi = r.lo_in = r.hi_in = true;
        r.lo = r.hi = p->lo;
    } else if (p->kind == PAT_RANGE) {
        r.has_lo = p->has_lo; r.lo = p->lo; r.lo_in = p->lo_incl;
        r.has_hi = p->has_hi; r.hi = p->hi; r.hi_in = p->hi_incl;
    }
    return r; /* PAT_ELSE: everything */
}

static void fmt_point(dec_t v, bool pct, char *buf, size_t cap) {
    char t[DEC_FMT_MAX];
    if (pct) {
        dec_t p;
        if (dec_mul(v, dec_from_int(100), &p) == DEC_OK) v = p;
        else pct = false;
    }
    dec_format(v, -1, t, sizeof t);
    snprintf(buf, cap, "%s%s", t, pct ? "%" : "");
}

/* `85%..<100%`, `< 85%`, `>= 2`, `85%` */
static void fmt_iv(const iv *g, bool pct, char *buf, size_t cap) {
    char a[DEC_FMT_MAX + 2], b[DEC_FMT_MAX + 2];
    if (g->has_lo) fmt_point(g->lo, pct, a, sizeof a);
    if (g->has_hi) fmt_point(g->hi, pct, b, sizeof b);
    if (g->has_lo && g->has_hi && dec_cmp(g->lo, g->hi) == 0) snprintf(buf, cap, "%s", a);
    else if (g->has_lo && g->has_hi)
        snprintf(buf, cap, "%s%s..%s%s", g->lo_in ? "" : "> ", a, g->hi_in ? "" : "<", b);
    else if (g->has_lo) snprintf(buf, cap, "%s %s", g->lo_in ? ">=" : ">", a);
    else if (g->has_hi) snprintf(buf, cap, "%s %s", g->hi_in ? "<=" : "<", b);
    else snprintf(buf, cap, "any value");
}

static const fact_decl *subject_fact(const ruleset *rs, const expr *e) {
    return e->kind == EX_FACT ? &rs->facts[e->u.ref.slot] : NULL;
}

static domain subject_domain(const ruleset *rs, const expr *e) {
    domain d;
    memset(&d, 0, sizeof d);
    const fact_decl *f = subject_fact(rs, e);
    if (f && f->has_lo && (f->type == TY_NUM || f->type == TY_DATE)) {
        d.dom.has_lo = d.dom.has_hi = d.dom.lo_in = d.dom.hi_in = true;
        d.dom.lo = f->lo;
        d.dom.hi = f->hi;
        d.known = true;
        d.discrete = f->unit == NU_COUNT || f->type == TY_DATE;
        d.what = "its bounds";
        return d;
    }
    if (e->type == TY_NUM && e->unit == NU_PERCENT) {
        d.dom.has_lo = d.dom.has_hi = d.dom.lo_in = d.dom.hi_in = true;
        d.dom.lo = dec_from_int(0);
        d.dom.hi = dec_from_int(1);
        d.known = true;
        d.what = "0%..100%";
    } else if (e->type == TY_NUM && e->unit == NU_COUNT) {
        d.dom.has_lo = d.dom.lo_in = true;
        d.dom.lo = dec_from_int(0);
        d.known = d.discrete = true;
        d.what = "whole numbers >= 0";
    }
    return d;
}

int bands_check(const ruleset *rs, const expr *subject, const arm *arms, int n, const char *where,
                diag_sink *d) {
    int warnings = 0;
    if (n == 0) return 0;
    bool has_else = false;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < arms[i].n_pats; j++) has_else |= arms[i].pats[j].kind == PAT_ELSE;

    if (subject->type == TY_CHOICE || subject->type == TY_BOOL) {
        if (has_else) return 0;
        int n_opt = subject->type == TY_BOOL ? 2 : rs->facts[subject->choice].n_options;
        for (int o = 0; o < n_opt; o++) {
            bool seen = false;
            for (int i = 0; i < n && !seen; i++)
                for (int j = 0; j < arms[i].n_pats; j++) {
                    const pattern *p = &arms[i].pats[j];
                    if ((p->kind == PAT_OPTION && p->option == o) ||
                        (p->kind == PAT_BOOL && p->lo.num == (subject->type == TY_BOOL ? 1 - o : -1)))
                        seen = true;
                }
            if (!seen) {
                const char *name = subject->type == TY_BOOL ? (o ? "false" : "true")
                                                            : rs->facts[subject->choice].options[o].name;
                diag_emit(d, DIAG_WARNING, &arms[n - 1].loc, NULL, 0,
                          "%s: no arm for '%s' (a unit with that value gets no score: an error)", where, name);
                warnings++;
            }
        }
        return warnings;
    }
    if (subject->type != TY_NUM && subject->type != TY_DATE) return 0;

    domain dm = subject_domain(rs, subject);
    bool pct = subject->unit == NU_PERCENT;
    iv all;
    memset(&all, 0, sizeof all);
    iv *seen = malloc(sizeof *seen * (size_t)(n * 4 + 4));
    if (!seen) return 0;
    int n_seen = 0;
    char buf[2 * DEC_FMT_MAX + 16], buf2[2 * DEC_FMT_MAX + 16];
    for (int i = 0; i < n; i++) {
        const arm *a = &arms[i];
        int first_new = n_seen;
        bool any_new = false;
        for (int j = 0; j < a->n_pats; j++) {
            const pattern *p = &a->pats[j];
            if (p->kind != PAT_EQ && p->kind != PAT_RANGE && p->kind != PAT_ELSE) continue;
            iv x = pattern_iv(p);
            iv in = dm.known ? intersect(&x, &dm.dom) : x;
            if (iv_empty(&in, dm.discrete)) {
                fmt_iv(&x, pct, buf, sizeof buf);
                diag_emit(d, DIAG_WARNING, &p->loc, NULL, 0, "%s: the band %s is outside %s and never matches",
                          where, buf, dm.what);
                warnings++;
                continue;
            }
            iv g;
            if (p->kind != PAT_ELSE && n_seen > 0 && !first_gap(&in, seen, first_new, dm.discrete, &g)) {
                fmt_iv(&x, pct, buf, sizeof buf);
                diag_emit(d, DIAG_WARNING, &p->loc, NULL, 0,
                          "%s: the band %s never matches: earlier bands take all its values", where, buf);
                warnings++;
            } else if (p->kind != PAT_ELSE) {
                for (int k = 0; k < first_new; k++) {
                    iv o = intersect(&in, &seen[k]);
                    if (!iv_empty(&o, dm.discrete)) {
                        fmt_iv(&o, pct, buf, sizeof buf);
                        fmt_iv(&x, pct, buf2, sizeof buf2);
                        diag_emit(d, DIAG_WARNING, &p->loc, NULL, 0,
                                  "%s: the band %s overlaps an earlier band on %s (the earlier one wins)",
                                  where, buf2, buf);
                        warnings++;
                        break;
                    }
                }
            }
            seen[n_seen++] = in;
            any_new = true;
        }
        (void)any_new;
    }
    if (!has_else && dm.known) {
        iv g;
        if (first_gap(&dm.dom, seen, n_seen, dm.discrete, &g)) {
            fmt_iv(&g, pct, buf, sizeof buf);
            diag_emit(d, DIAG_WARNING, &arms[n - 1].loc, NULL, 0,
                      "%s: no band matches %s (over %s); a unit with such a value gets an error", where, buf,
                      dm.what);
            warnings++;
        }
    }
    free(seen);
    return warnings;
}
