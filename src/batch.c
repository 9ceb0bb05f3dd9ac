#include "batch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { CHUNK_UNITS = 256 };

/* FILLING: the reader adds units; QUEUED: waiting for a worker; WORKING: a worker scores it;
 * DONE: waiting to be delivered in order. */
typedef enum { C_FREE, C_FILLING, C_QUEUED, C_WORKING, C_DONE } chunk_state;

typedef struct {
    chunk_state state;
    int n;
    char *names;       /* NUL-separated unit names */
    size_t names_len, names_cap;
    size_t *name_off;  /* [CHUNK_UNITS] */
    fact_value *values; /* [CHUNK_UNITS * n_facts] */
    node_result *res;   /* [CHUNK_UNITS * n_nodes] */
    unit_total *tot;    /* [CHUNK_UNITS] */
} chunk;

struct batch {
    const ruleset *rs;
    int jobs;
    batch_done_fn fn;
    void *ud;
    size_t nf, nn;
    /* one thread: evaluate in place */
    eval_state *ev;
    node_result *res;
    /* several threads: a ring of chunks, filled in order and delivered in order */
    chunk *ring;
    int n_ring, fill, deliver, next_work;
    pthread_t *threads;
    int n_threads;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    bool stop;
    int rc;
};

static void chunk_free(chunk *c) {
    free(c->names);
    free(c->name_off);
    free(c->values);
    free(c->res);
    free(c->tot);
}

static void *worker(void *arg) {
    batch *b = arg;
    eval_state *ev = eval_new(b->rs);
    pthread_mutex_lock(&b->mu);
    for (;;) {
        while (!b->stop && b->ring[b->next_work].state != C_QUEUED) pthread_cond_wait(&b->work, &b->mu);
        if (b->ring[b->next_work].state != C_QUEUED && b->stop) break;
        chunk *c = &b->ring[b->next_work];
        c->state = C_WORKING;
        b->next_work = (b->next_work + 1) % b->n_ring;
        pthread_cond_broadcast(&b->work);
        pthread_mutex_unlock(&b->mu);
        for (int i = 0; i < c->n; i++) {
            if (ev) eval_unit(ev, c->values + (size_t)i * b->nf, c->res + (size_t)i * b->nn, &c->tot[i]);
            else c->tot[i].status = ST_ERROR; /* out of memory in this worker */
        }
        pthread_mutex_lock(&b->mu);
        c->state = C_DONE;
        pthread_cond_broadcast(&b->done);
    }
    pthread_mutex_unlock(&b->mu);
    eval_free(ev);
    return NULL;
}

batch *batch_new(const ruleset *rs, int jobs, batch_done_fn fn, void *ud) {
    batch *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->rs = rs;
    b->jobs = jobs < 1 ? 1 : jobs;
    b->fn = fn;
    b->ud = ud;
    b->nf = (size_t)rs->n_facts + 1;
    b->nn = (size_t)rs->n_nodes + 1;
    if (b->jobs == 1) {
        b->ev = eval_new(rs);
        b->res = calloc(b->nn, sizeof *b->res);
        if (!b->ev || !b->res) { batch_free(b); return NULL; }
        return b;
    }
    b->n_ring = 2 * b->jobs + 2;
    b->ring = calloc((size_t)b->n_ring, sizeof *b->ring);
    if (!b->ring) { free(b); return NULL; }
    for (int i = 0; i < b->n_ring; i++) {
        chunk *c = &b->ring[i];
        c->name_off = malloc(CHUNK_UNITS * sizeof *c->name_off);
        c->values = malloc(CHUNK_UNITS * b->nf * sizeof *c->values);
        c->res = malloc(CHUNK_UNITS * b->nn * sizeof *c->res);
        c->tot = malloc(CHUNK_UNITS * sizeof *c->tot);
        if (!c->name_off || !c->values || !c->res || !c->tot) { batch_free(b); return NULL; }
    }
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->work, NULL);
    pthread_cond_init(&b->done, NULL);
    /* The calling thread reads the input and writes the reports: it is one of the jobs. Starting
     * `jobs` workers besides it would put jobs + 1 busy threads on `jobs` cores, and the reader,
     * which everything waits for, would get only part of one. */
    int workers = b->jobs - 1;
    b->threads = calloc((size_t)workers, sizeof *b->threads);
    if (!b->threads) { batch_free(b); return NULL; }
    for (int i = 0; i < workers; i++) {
        if (pthread_create(&b->threads[i], NULL, worker, b) != 0) break;
        b->n_threads++;
    }
    if (b->n_threads == 0) { batch_free(b); return NULL; }
    b->ring[0].state = C_FILLING;
    return b;
}

/* Hand every finished chunk at the head of the ring to fn, in order. wait: block until the
 * head chunk is done (when the ring is full, or at the end). */
static int deliver(batch *b, bool wait) {
    for (;;) {
        pthread_mutex_lock(&b->mu);
        chunk *c = &b->ring[b->deliver];
        while (wait && (c->state == C_QUEUED || c->state == C_WORKING)) pthread_cond_wait(&b->done, &b->mu);
        bool ready = c->state == C_DONE;
        pthread_mutex_unlock(&b->mu);
        if (!ready) return 0;
        for (int i = 0; i < c->n && !b->rc; i++)
            b->rc = b->fn(b->ud, c->names + c->name_off[i], c->values + (size_t)i * b->nf,
                          c->res + (size_t)i * b->nn, &c->tot[i]);
        pthread_mutex_lock(&b->mu);
        c->state = C_FREE;
        c->n = 0;
        c->names_len = 0;
        b->deliver = (b->deliver + 1) % b->n_ring;
        pthread_mutex_unlock(&b->mu);
        if (b->rc) return b->rc;
        wait = false;
    }
}

static void submit(batch *b) {
    pthread_mutex_lock(&b->mu);
    b->ring[b->fill].state = C_QUEUED;
    b->fill = (b->fill + 1) % b->n_ring;
    pthread_cond_broadcast(&b->work);
    pthread_mutex_unlock(&b->mu);
}

int batch_add(batch *b, const char *unit, const fact_value *values) {
    if (b->rc) return b->rc;
    if (b->jobs == 1) {
        unit_total tot;
        eval_unit(b->ev, values, b->res, &tot);
        return b->rc = b->fn(b->ud, unit, values, b->res, &tot);
    }
    chunk *c = &b->ring[b->fill];
    size_t len = strlen(unit) + 1;
    if (c->names_len + len > c->names_cap) {
        size_t cap = c->names_cap ? c->names_cap * 2 : 4096;
        while (cap < c->names_len + len) cap *= 2;
        char *p = realloc(c->names, cap);
        if (!p) return b->rc = -1;
        c->names = p;
        c->names_cap = cap;
    }
    memcpy(c->names + c->names_len, unit, len);
    c->name_off[c->n] = c->names_len;
    c->names_len += len;
    memcpy(c->values + (size_t)c->n * b->nf, values, (size_t)b->rs->n_facts * sizeof *values);
    if (++c->n < CHUNK_UNITS) return 0;
    submit(b);
    /* The next slot must be free before it is filled: deliver finished chunks, waiting if the
     * ring is full. */
    for (;;) {
        if (deliver(b, false)) return b->rc;
        pthread_mutex_lock(&b->mu);
        bool free_slot = b->ring[b->fill].state == C_FREE;
        if (free_slot) b->ring[b->fill].state = C_FILLING;
        pthread_mutex_unlock(&b->mu);
        if (free_slot) return 0;
        if (deliver(b, true)) return b->rc;
    }
}

int batch_finish(batch *b) {
    if (b->jobs == 1 || b->rc) return b->rc;
    if (b->ring[b->fill].n > 0) {
        submit(b);
    } else {
        pthread_mutex_lock(&b->mu);
        b->ring[b->fill].state = C_FREE;
        pthread_mutex_unlock(&b->mu);
    }
    while (!b->rc) {
        pthread_mutex_lock(&b->mu);
        bool empty = b->ring[b->deliver].state == C_FREE;
        pthread_mutex_unlock(&b->mu);
        if (empty) break;
        if (deliver(b, true)) break;
    }
    /* ready for more units (another file) */
    pthread_mutex_lock(&b->mu);
    if (b->ring[b->fill].state == C_FREE) b->ring[b->fill].state = C_FILLING;
    pthread_mutex_unlock(&b->mu);
    return b->rc;
}

void batch_free(batch *b) {
    if (!b) return;
    if (b->n_threads) {
        pthread_mutex_lock(&b->mu);
        b->stop = true;
        pthread_cond_broadcast(&b->work);
        pthread_mutex_unlock(&b->mu);
        for (int i = 0; i < b->n_threads; i++) pthread_join(b->threads[i], NULL);
        pthread_mutex_destroy(&b->mu);
        pthread_cond_destroy(&b->work);
        pthread_cond_destroy(&b->done);
    }
    for (int i = 0; b->ring && i < b->n_ring; i++) chunk_free(&b->ring[i]);
    free(b->ring);
    free(b->threads);
    eval_free(b->ev);
    free(b->res);
    free(b);
}
