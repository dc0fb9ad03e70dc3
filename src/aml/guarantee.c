/* Guarantee circles (担保圈) and guarantee networks.
 *
 * The guarantee graph has an edge guarantor -> borrower per guarantee,
 * weighted by the guaranteed amount. Edges are put in CSR form by
 * guarantor (counting sort, input order kept).
 *
 * guarantee_circle: each strongly connected component with two or more
 * members (found by Tarjan's algorithm, iterative with an explicit stack)
 * is a set of companies that guarantee one another, directly or round a
 * cycle. Alert: accounts = members in account order; transactions = the
 * guarantees between members; amount = their total. Score = 60 + 10 per
 * member beyond two, capped at 100.
 *
 * guarantee_network: each weakly connected component (union-find with
 * path halving) with three or more members. Alert: accounts = members in
 * account order, each with its contagion exposure; transactions = every
 * guarantee of the network; amount = their total. Score = 40 + 10 per
 * member beyond three, + 20 when the network contains a circle, capped at
 * 100.
 *
 * Contagion exposure of X: the sum of the amounts of every guarantee
 * given by an account reachable from X along guarantor -> borrower edges,
 * X included, each guarantee counted once. It is what X may end up owing
 * if every company it stands behind, directly or through the guarantors it
 * stands behind, defaults: X pays for its borrowers, and a borrower that
 * is itself a guarantor passes its own guarantees' losses up the chain.
 * Computed by one breadth-first search per member. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "aml/aml_int.h"

typedef struct gg {
  const sp_aml_data *d;
  uint32_t n;        /* accounts */
  uint32_t *start;   /* CSR by guarantor: n + 1 */
  uint32_t *edge;    /* guarantee indices */
  uint32_t *comp;    /* scc id per account, UINT32_MAX none */
  uint32_t *parent;  /* union-find */
  uint32_t *work[4]; /* scratch arrays of n + 1 */
  uint32_t *stamp;
} gg;

static void csr(gg *g) {
  const sp_aml_data *d = g->d;
  memset(g->start, 0, ((size_t)g->n + 1) * sizeof *g->start);
  for (uint32_t e = 0; e < d->n_g; e++)
    g->start[d->g_from[e] + 1]++;
  for (uint32_t a = 0; a < g->n; a++)
    g->start[a + 1] += g->start[a];
  uint32_t *cur = g->work[0];
  memcpy(cur, g->start, (size_t)g->n * sizeof *cur);
  for (uint32_t e = 0; e < d->n_g; e++)
    g->edge[cur[d->g_from[e]]++] = e;
}

/* Iterative Tarjan: comp[v] = component id (ids in order of completion). */
static void tarjan(gg *g) {
  uint32_t *index = g->work[0], *low = g->work[1], *stack = g->work[2];
  uint32_t *call = g->work[3], *pos = g->stamp; /* stamp reused as pos */
  const uint32_t none = UINT32_MAX;
  for (uint32_t v = 0; v < g->n; v++)
    index[v] = none, g->comp[v] = none;
  uint32_t next = 0, sp = 0, cp = 0, ncomp = 0;
  for (uint32_t root = 0; root < g->n; root++) {
    if (index[root] != none)
      continue;
    call[cp++] = root;
    index[root] = low[root] = next++, pos[root] = g->start[root];
    stack[sp++] = root;
    while (cp > 0) {
      uint32_t v = call[cp - 1];
      if (pos[v] < g->start[v + 1]) {
        uint32_t w = g->d->g_to[g->edge[pos[v]++]];
        if (index[w] == none) {
          index[w] = low[w] = next++, pos[w] = g->start[w];
          stack[sp++] = w;
          call[cp++] = w;
        } else if (g->comp[w] == none && index[w] < low[v]) {
          low[v] = index[w]; /* w is on the stack */
        }
        continue;
      }
      cp--;
      if (cp > 0 && low[v] < low[call[cp - 1]])
        low[call[cp - 1]] = low[v];
      if (low[v] != index[v])
        continue;
      uint32_t w;
      do {
        w = stack[--sp];
        g->comp[w] = ncomp;
      } while (w != v);
      ncomp++;
    }
  }
}

static uint32_t find(uint32_t *parent, uint32_t x) {
  while (parent[x] != x)
    x = parent[x] = parent[parent[x]];
  return x;
}

static int64_t exposure(gg *g, uint32_t x, uint32_t *queue, uint32_t mark) {
  int64_t sum = 0;
  uint32_t head = 0, tail = 0;
  queue[tail++] = x;
  g->stamp[x] = mark;
  while (head < tail) {
    uint32_t u = queue[head++];
    for (uint32_t k = g->start[u]; k < g->start[u + 1]; k++) {
      uint32_t e = g->edge[k], w = g->d->g_to[e];
      sum += g->d->g_amount[e];
      if (g->stamp[w] != mark) {
        g->stamp[w] = mark;
        queue[tail++] = w;
      }
    }
  }
  return sum;
}

/* Emits one alert for the members with key[v] == id (members in account
 * order); circle != 0 keeps only guarantees inside. */
static int group(gg *g, sp_aml_alerts *a, const uint32_t *key, uint32_t id,
                 int circle, int has_circle, int64_t *fen) {
  const sp_aml_data *d = g->d;
  uint32_t *members = g->work[1], *items = g->work[2], n = 0, m = 0;
  sp__aml_alert al = {0};
  al.pattern = circle ? SP_AML_GUARANTEE_CIRCLE : SP_AML_GUARANTEE_NETWORK;
  for (uint32_t v = 0; v < g->n; v++)
    if (key[v] == id)
      members[n++] = v;
  for (uint32_t e = 0; e < d->n_g; e++)
    if (key[d->g_from[e]] == id && (!circle || key[d->g_to[e]] == id)) {
      items[m++] = e;
      al.amount_fen += d->g_amount[e];
    }
  int score = circle ? 60 + 10 * ((int)n - 2)
                     : 40 + 10 * ((int)n - 3) + (has_circle ? 20 : 0);
  al.score = (uint8_t)(score > 100 ? 100 : score);
  if (!circle)
    for (uint32_t i = 0; i < n; i++)
      fen[i] = exposure(g, members[i], g->work[3], members[i] + 1);
  return sp__aml_alert_add(a, &al, members, circle ? NULL : fen, n, items, m);
}

static int emit_all(gg *g, sp_aml_alerts *a, const sp_aml_config *cfg,
                    int64_t *fen) {
  uint32_t *size = g->work[0]; /* per component / root */
  int rc = SP_OK;
  memset(size, 0, ((size_t)g->n + 1) * sizeof *size);
  for (uint32_t v = 0; v < g->n; v++)
    size[g->comp[v]]++;
  uint8_t *circ = calloc((size_t)g->n + 1, 1); /* root has a circle */
  if (circ == NULL)
    return SP_ENOMEM;
  for (uint32_t v = 0; rc == SP_OK && v < g->n; v++)
    if (size[g->comp[v]] >= 2) {
      circ[find(g->parent, v)] = 1;
      if (cfg->patterns >> SP_AML_GUARANTEE_CIRCLE & 1u)
        rc = group(g, a, g->comp, g->comp[v], 1, 1, fen);
      size[g->comp[v]] = 0; /* once per component */
    }
  uint32_t *root = g->comp; /* comp no longer needed: reuse for roots */
  for (uint32_t v = 0; v < g->n; v++)
    root[v] = find(g->parent, v);
  memset(size, 0, ((size_t)g->n + 1) * sizeof *size);
  for (uint32_t v = 0; v < g->n; v++)
    size[root[v]]++;
  memset(g->stamp, 0, ((size_t)g->n + 1) * sizeof *g->stamp);
  for (uint32_t v = 0; rc == SP_OK && v < g->n; v++)
    if (size[root[v]] >= 3 &&
        (cfg->patterns >> SP_AML_GUARANTEE_NETWORK & 1u)) {
      rc = group(g, a, root, root[v], 0, circ[root[v]], fen);
      size[root[v]] = 0;
    }
  free(circ);
  return rc;
}

int sp__aml_guarantees(const sp_aml_data *d, const sp_aml_config *cfg,
                       sp_aml_alerts *a) {
  gg g = {0};
  g.d = d;
  g.n = d->n_accounts;
  size_t n = (size_t)g.n + 1, m = (size_t)d->n_g + 1;
  g.start = malloc(n * sizeof *g.start);
  g.edge = malloc(m * sizeof *g.edge);
  g.comp = malloc(n * sizeof *g.comp);
  g.parent = malloc(n * sizeof *g.parent);
  g.stamp = malloc(n * sizeof *g.stamp);
  int64_t *fen = malloc(n * sizeof *fen);
  int rc = g.start && g.edge && g.comp && g.parent && g.stamp && fen
               ? SP_OK
               : SP_ENOMEM;
  for (int i = 0; i < 4; i++)
    if ((g.work[i] = malloc((n > m ? n : m) * sizeof(uint32_t))) == NULL)
      rc = SP_ENOMEM;
  if (rc == SP_OK) {
    csr(&g);
    tarjan(&g);
    for (uint32_t v = 0; v < g.n; v++)
      g.parent[v] = v;
    for (uint32_t e = 0; e < d->n_g; e++)
      g.parent[find(g.parent, d->g_from[e])] = find(g.parent, d->g_to[e]);
    rc = emit_all(&g, a, cfg, fen);
  }
  for (int i = 0; i < 4; i++)
    free(g.work[i]);
  free(g.start), free(g.edge), free(g.comp), free(g.parent), free(g.stamp);
  free(fen);
  return rc;
}
