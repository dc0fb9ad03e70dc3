/* The ledger: double entry, idempotency, batches, two-phase transfers,
 * constraints, durability, and a seeded random simulation checked against
 * a plain model written here after every step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include "sparrow/ledger.h"
#include "sparrow/store.h"

typedef struct fixture {
  char path[64];
  sp_store *store;
  sp_ledger *ledger;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  snprintf(f->path, sizeof f->path, "/tmp/sp-ledger-%d.db", (int)getpid());
  sp_store_remove_sqlite(f->path);
  assert_int_equal(sp_store_open_sqlite(f->path, &f->store, NULL), SP_OK);
  assert_int_equal(sp_ledger_open(f->store, &f->ledger, NULL), SP_OK);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  sp_ledger_close(f->ledger);
  sp_store_close(f->store);
  sp_store_remove_sqlite(f->path);
  free(f);
  return 0;
}

static void reopen(fixture *f) {
  sp_ledger_close(f->ledger);
  sp_store_close(f->store);
  assert_int_equal(sp_store_open_sqlite(f->path, &f->store, NULL), SP_OK);
  assert_int_equal(sp_ledger_open(f->store, &f->ledger, NULL), SP_OK);
}

static sp_account mk_account(uint64_t id, int kind, unsigned flags) {
  sp_account a = {.id = id,
                  .ledger = SP_LEDGER_CNY,
                  .kind = (uint16_t)kind,
                  .flags = (uint16_t)flags};
  snprintf(a.name, sizeof a.name, "acct-%llu", (unsigned long long)id);
  return a;
}

static sp_transfer xfer(uint64_t id, uint64_t dr, uint64_t cr, int64_t amt) {
  return (sp_transfer){.id = id,
                       .debit_account_id = dr,
                       .credit_account_id = cr,
                       .amount_fen = amt,
                       .ledger = SP_LEDGER_CNY,
                       .code = 1};
}

static int64_t posted_balance(sp_ledger *l, uint64_t id) {
  sp_account a;
  assert_int_equal(sp_ledger_account(l, id, &a, NULL), SP_OK);
  return a.debits_posted_fen - a.credits_posted_fen;
}

static void create_three(fixture *f) {
  sp_account a[3] = {mk_account(1, SP_ACCOUNT_ASSET, 0),
                     mk_account(2, SP_ACCOUNT_ASSET,
                                SP_ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS),
                     mk_account(3, SP_ACCOUNT_EQUITY, 0)};
  assert_int_equal(sp_ledger_create_accounts(f->ledger, a, 3, NULL), SP_OK);
}

static void test_transfer_and_replay(void **state) {
  fixture *f = *state;
  create_three(f);
  sp_transfer t = xfer(10, 2, 1, 5000000); /* draw 50,000.00 */
  int status = -1;
  assert_int_equal(sp_ledger_submit(f->ledger, &t, 1, &status, NULL), SP_OK);
  assert_int_equal(status, SP_TRANSFER_CREATED);
  assert_int_equal(sp_ledger_commit(f->ledger, NULL, NULL, NULL), SP_OK);
  assert_true(posted_balance(f->ledger, 2) == 5000000);
  assert_true(posted_balance(f->ledger, 1) == -5000000);
  /* Replay: same id, same payload, in memory and after reopening. */
  assert_int_equal(sp_ledger_submit(f->ledger, &t, 1, &status, NULL), SP_OK);
  assert_int_equal(status, SP_TRANSFER_REPLAYED);
  reopen(f);
  assert_int_equal(sp_ledger_submit(f->ledger, &t, 1, &status, NULL), SP_OK);
  assert_int_equal(status, SP_TRANSFER_REPLAYED);
  assert_true(posted_balance(f->ledger, 2) == 5000000);
  /* Same id, another payload. */
  sp_error err;
  t.amount_fen = 1;
  assert_int_equal(sp_ledger_submit(f->ledger, &t, 1, NULL, &err), SP_EEXISTS);
  assert_string_equal(err.field, "id");
  sp_ledger_totals tot;
  assert_int_equal(sp_ledger_verify(f->store, &tot, NULL), SP_OK);
  assert_true(tot.transfers == 1 && tot.debits_posted_fen == 5000000);
}

static void test_bad_transfers(void **state) {
  fixture *f = *state;
  create_three(f);
  sp_error err;
  sp_transfer t = xfer(1, 1, 1, 100);
  assert_int_equal(sp_ledger_submit(f->ledger, &t, 1, NULL, &err), SP_EINVAL);
  t = xfer(1, 1, 3, 0);
  assert_int_equal(sp_ledger_submit(f->ledger, &t, 1, NULL, &err), SP_EINVAL);
  assert_string_equal(err.field, "amount");
  t = xfer(1, 1, 3, -5);
  assert_int_equal(sp_ledger_submit(f->ledger, &t, 1, NULL, &err), SP_EINVAL);
  t = xfer(0, 1, 3, 5);
  assert_int_equal(sp_ledger_submit(f->ledger, &t, 1, NULL, &err), SP_EINVAL);
  assert_string_equal(err.field, "id");
  t = xfer(1, 99, 3, 5);
  assert_int_equal(sp_ledger_submit(f->ledger, &t, 1, NULL, &err),
                   SP_ENOTFOUND);
  assert_string_equal(err.field, "debit_account_id");
  /* Repaying more than is owed breaks the receivable's constraint. */
  t = xfer(1, 1, 2, 1);
  assert_int_equal(sp_ledger_submit(f->ledger, &t, 1, NULL, &err), SP_EBALANCE);
  sp_account other = mk_account(4, SP_ACCOUNT_ASSET, 0);
  other.ledger = 840;
  assert_int_equal(sp_ledger_create_accounts(f->ledger, &other, 1, NULL),
                   SP_OK);
  t = xfer(1, 4, 3, 5);
  t.ledger = 0;
  assert_int_equal(sp_ledger_submit(f->ledger, &t, 1, NULL, &err), SP_EINVAL);
  assert_string_equal(err.field, "ledger");
  /* Same account id, other definition. */
  sp_account again = mk_account(1, SP_ACCOUNT_LIABILITY, 0);
  assert_int_equal(sp_ledger_create_accounts(f->ledger, &again, 1, &err),
                   SP_EEXISTS);
}

static void test_batch_is_atomic(void **state) {
  fixture *f = *state;
  create_three(f);
  sp_transfer b[3] = {xfer(1, 2, 1, 1000), xfer(2, 1, 2, 600),
                      xfer(3, 1, 2, 600)};
  sp_error err;
  /* The third would repay 1,200 of 1,000 owed: the whole batch fails. */
  assert_int_equal(sp_ledger_submit(f->ledger, b, 3, NULL, &err), SP_EBALANCE);
  assert_non_null(strstr(err.message, "transfers[2]"));
  assert_true(posted_balance(f->ledger, 2) == 0);
  assert_int_equal(sp_ledger_commit(f->ledger, NULL, NULL, NULL), SP_OK);
  assert_int_equal(sp_ledger_verify(f->store, NULL, NULL), SP_OK);
  sp_transfer t;
  assert_int_equal(sp_ledger_transfer(f->ledger, 1, &t, NULL), SP_ENOTFOUND);
  /* The first two alone succeed; ids are free for reuse after a failure. */
  int status[2];
  assert_int_equal(sp_ledger_submit(f->ledger, b, 2, status, NULL), SP_OK);
  assert_int_equal(sp_ledger_commit(f->ledger, NULL, NULL, NULL), SP_OK);
  assert_true(posted_balance(f->ledger, 2) == 400);
  /* A batch that repeats an id with the same payload counts it once. */
  sp_transfer dup[2] = {xfer(7, 2, 1, 5), xfer(7, 2, 1, 5)};
  assert_int_equal(sp_ledger_submit(f->ledger, dup, 2, status, NULL), SP_OK);
  assert_int_equal(status[1], SP_TRANSFER_REPLAYED);
  assert_true(posted_balance(f->ledger, 2) == 405);
}

static void test_two_phase(void **state) {
  fixture *f = *state;
  create_three(f);
  sp_transfer p = xfer(1, 2, 1, 1000);
  p.flags = SP_TRANSFER_PENDING;
  assert_int_equal(sp_ledger_submit(f->ledger, &p, 1, NULL, NULL), SP_OK);
  assert_int_equal(sp_ledger_commit(f->ledger, NULL, NULL, NULL), SP_OK);
  sp_account a;
  sp_ledger_account(f->ledger, 2, &a, NULL);
  assert_true(a.debits_pending_fen == 1000 && a.debits_posted_fen == 0);
  reopen(f);
  /* Post 700 of the 1,000: the rest is released. */
  sp_transfer post = {.id = 2,
                      .pending_id = 1,
                      .amount_fen = 700,
                      .flags = SP_TRANSFER_POST_PENDING,
                      .code = 1};
  assert_int_equal(sp_ledger_submit(f->ledger, &post, 1, NULL, NULL), SP_OK);
  sp_ledger_account(f->ledger, 2, &a, NULL);
  assert_true(a.debits_pending_fen == 0 && a.debits_posted_fen == 700);
  /* Posting again, or voiding a posted transfer, is refused. */
  sp_error err;
  sp_transfer again = post;
  again.id = 3;
  assert_int_equal(sp_ledger_submit(f->ledger, &again, 1, NULL, &err),
                   SP_ESTATE);
  assert_string_equal(err.field, "pending_id");
  /* A void releases the whole reservation. */
  sp_transfer p2 = xfer(4, 2, 1, 300);
  p2.flags = SP_TRANSFER_PENDING;
  sp_transfer v = {
      .id = 5, .pending_id = 4, .flags = SP_TRANSFER_VOID_PENDING, .code = 1};
  sp_transfer both[2] = {p2, v};
  assert_int_equal(sp_ledger_submit(f->ledger, both, 2, NULL, NULL), SP_OK);
  assert_int_equal(sp_ledger_commit(f->ledger, NULL, NULL, NULL), SP_OK);
  sp_ledger_account(f->ledger, 2, &a, NULL);
  assert_true(a.debits_pending_fen == 0 && a.debits_posted_fen == 700);
  /* Pending credits count against the constraint: 700 owed, 500 pending
   * repayment, a further 300 would exceed it. */
  sp_transfer r1 = xfer(6, 1, 2, 500), r2 = xfer(7, 1, 2, 300);
  r1.flags = SP_TRANSFER_PENDING;
  assert_int_equal(sp_ledger_submit(f->ledger, &r1, 1, NULL, NULL), SP_OK);
  assert_int_equal(sp_ledger_submit(f->ledger, &r2, 1, NULL, &err),
                   SP_EBALANCE);
  /* Post with amount 0 posts the full pending amount; its replay too. */
  sp_transfer full = {
      .id = 8, .pending_id = 6, .flags = SP_TRANSFER_POST_PENDING};
  int st;
  assert_int_equal(sp_ledger_submit(f->ledger, &full, 1, &st, NULL), SP_OK);
  assert_int_equal(sp_ledger_commit(f->ledger, NULL, NULL, NULL), SP_OK);
  assert_int_equal(sp_ledger_submit(f->ledger, &full, 1, &st, NULL), SP_OK);
  assert_int_equal(st, SP_TRANSFER_REPLAYED);
  assert_true(posted_balance(f->ledger, 2) == 200);
  assert_int_equal(sp_ledger_verify(f->store, NULL, NULL), SP_OK);
}

static void test_verify_detects_corruption(void **state) {
  fixture *f = *state;
  create_three(f);
  sp_transfer t = xfer(1, 2, 1, 1000);
  assert_int_equal(sp_ledger_submit(f->ledger, &t, 1, NULL, NULL), SP_OK);
  assert_int_equal(sp_ledger_commit(f->ledger, NULL, NULL, NULL), SP_OK);
  assert_int_equal(sp_ledger_verify(f->store, NULL, NULL), SP_OK);
  sqlite3 *db;
  assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db,
                                /* account 2's debits posted (slot 2
                                 * of chunk 0, bytes 65..72) := 999 */
                                "UPDATE balance_chunks SET sums = "
                                "substr(sums, 1, 64) || "
                                "x'E703000000000000' || substr(sums, 73) "
                                "WHERE chunk = 0",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  sqlite3_close(db);
  sp_error err;
  assert_int_equal(sp_ledger_verify(f->store, NULL, &err), SP_ESTATE);
  assert_non_null(strstr(err.message, "account 2"));
}

/* The model: plain sums per account, updated only by the rules written
 * here, independently of the ledger's code. */
#define SIM_ACCOUNTS 8
#define SIM_IDS 400
typedef struct model {
  int64_t dp[SIM_ACCOUNTS + 1], cp[SIM_ACCOUNTS + 1], dq[SIM_ACCOUNTS + 1],
      cq[SIM_ACCOUNTS + 1];
  sp_transfer used[SIM_IDS + 1]; /* committed or in window, by id */
  int state[SIM_IDS + 1];        /* pending state */
} model;

static int model_ok(const model *m, int a) {
  /* Accounts 1..4 may not be overdrawn on the debit side. */
  if (a <= 4 && m->cp[a] + m->cq[a] > m->dp[a])
    return 0;
  return 1;
}

static int model_apply(model *m, const sp_transfer *t) {
  if (m->used[t->id].id != 0)
    return memcmp(&m->used[t->id], t, sizeof *t) == 0 ? 1 : -1;
  model save = *m;
  sp_transfer s = *t;
  if (t->flags & SP_TRANSFER_POST_PENDING) {
    const sp_transfer *p = &m->used[t->pending_id];
    if (p->id == 0 || !(p->flags & SP_TRANSFER_PENDING) ||
        m->state[p->id] != SP_PENDING_OPEN || t->amount_fen > p->amount_fen)
      return -1;
    m->dq[p->debit_account_id] -= p->amount_fen;
    m->cq[p->credit_account_id] -= p->amount_fen;
    m->dp[p->debit_account_id] += t->amount_fen;
    m->cp[p->credit_account_id] += t->amount_fen;
    m->state[p->id] = SP_PENDING_POSTED;
  } else if (t->flags & SP_TRANSFER_PENDING) {
    m->dq[t->debit_account_id] += t->amount_fen;
    m->cq[t->credit_account_id] += t->amount_fen;
    m->state[t->id] = SP_PENDING_OPEN;
  } else {
    m->dp[t->debit_account_id] += t->amount_fen;
    m->cp[t->credit_account_id] += t->amount_fen;
  }
  for (int a = 1; a <= SIM_ACCOUNTS; a++)
    if (!model_ok(m, a)) {
      *m = save;
      return -1;
    }
  m->used[t->id] = s;
  return 0;
}

static void test_random_simulation(void **state) {
  fixture *f = *state;
  unsigned seed = (unsigned)getpid();
  const char *env = getenv("SPARROW_SEED");
  if (env)
    seed = (unsigned)strtoul(env, NULL, 10);
  srand(seed);
  printf("# ledger simulation seed %u (SPARROW_SEED to replay)\n", seed);
  sp_account accounts[SIM_ACCOUNTS];
  for (int a = 1; a <= SIM_ACCOUNTS; a++)
    accounts[a - 1] =
        mk_account((uint64_t)a, SP_ACCOUNT_ASSET,
                   a <= 4 ? SP_ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS : 0);
  assert_int_equal(
      sp_ledger_create_accounts(f->ledger, accounts, SIM_ACCOUNTS, NULL),
      SP_OK);
  assert_int_equal(sp_ledger_commit(f->ledger, NULL, NULL, NULL), SP_OK);
  static model committed, m;
  memset(&committed, 0, sizeof committed);
  for (int step = 0; step < 3000; step++) {
    sp_transfer batch[4];
    int n = 1 + rand() % 4;
    model trial = m;
    int ok = 1;
    for (int i = 0; i < n; i++) {
      sp_transfer t =
          xfer(1 + (uint64_t)(rand() % SIM_IDS),
               1 + (uint64_t)(rand() % SIM_ACCOUNTS),
               1 + (uint64_t)(rand() % SIM_ACCOUNTS), 1 + rand() % 500);
      if (t.debit_account_id == t.credit_account_id)
        t.credit_account_id = t.credit_account_id % SIM_ACCOUNTS + 1;
      int r = rand() % 10;
      if (r < 2) {
        t.flags = SP_TRANSFER_PENDING;
      } else if (r < 4) {
        uint64_t p = 1 + (uint64_t)(rand() % SIM_IDS);
        const sp_transfer *pt = &m.used[p];
        if (pt->id && (pt->flags & SP_TRANSFER_PENDING)) {
          t.flags = SP_TRANSFER_POST_PENDING;
          t.pending_id = p;
          t.debit_account_id = pt->debit_account_id;
          t.credit_account_id = pt->credit_account_id;
          t.amount_fen = 1 + rand() % pt->amount_fen;
        }
      }
      batch[i] = t;
      if (model_apply(&trial, &t) < 0)
        ok = 0;
    }
    int rc = sp_ledger_submit(f->ledger, batch, (size_t)n, NULL, NULL);
    if (ok != (rc == SP_OK))
      fail_msg("seed %u step %d: model says %d, ledger rc %d", seed, step, ok,
               rc);
    if (ok)
      m = trial;
    int action = rand() % 20;
    if (action < 3) {
      assert_int_equal(sp_ledger_commit(f->ledger, NULL, NULL, NULL), SP_OK);
      committed = m;
    } else if (action == 3) {
      sp_ledger_discard(f->ledger);
      m = committed;
    } else if (action == 4) {
      assert_int_equal(sp_ledger_commit(f->ledger, NULL, NULL, NULL), SP_OK);
      committed = m;
      reopen(f);
    }
    for (int a = 1; a <= SIM_ACCOUNTS; a++) {
      sp_account got;
      assert_int_equal(sp_ledger_account(f->ledger, (uint64_t)a, &got, NULL),
                       SP_OK);
      if (got.debits_posted_fen != m.dp[a] ||
          got.credits_posted_fen != m.cp[a] ||
          got.debits_pending_fen != m.dq[a] ||
          got.credits_pending_fen != m.cq[a])
        fail_msg("seed %u step %d: account %d differs from the model", seed,
                 step, a);
    }
    if (step % 100 == 99) {
      sp_error err;
      if (sp_ledger_verify(f->store, NULL, &err) != SP_OK)
        fail_msg("seed %u step %d: verify: %s", seed, step, err.message);
    }
  }
  assert_int_equal(sp_ledger_commit(f->ledger, NULL, NULL, NULL), SP_OK);
  assert_int_equal(sp_ledger_verify(f->store, NULL, NULL), SP_OK);
}

/* Group commit: 8 threads, 500 single-transfer requests each. Every 10th
 * request repays more than the receivable holds and must fail alone. */
typedef struct worker {
  sp_ledger_group *group;
  int index, ok, failed;
} worker;

static void *work(void *p) {
  worker *w = p;
  for (int i = 0; i < 500; i++) {
    uint64_t id = (uint64_t)w->index * 1000 + (uint64_t)i + 1;
    sp_transfer t =
        i % 10 == 9 ? xfer(id, 1, 2, 1000000000) : xfer(id, 2, 1, 100);
    sp_error err;
    if (sp_ledger_group_submit(w->group, &t, 1, NULL, &err) == SP_OK)
      w->ok++;
    else if (err.code == SP_EBALANCE)
      w->failed++;
  }
  return NULL;
}

static void test_group_commit(void **state) {
  fixture *f = *state;
  create_three(f);
  assert_int_equal(sp_ledger_commit(f->ledger, NULL, NULL, NULL), SP_OK);
  sp_ledger_group *g;
  assert_int_equal(sp_ledger_group_open(f->ledger, &g, NULL), SP_OK);
  pthread_t th[8];
  worker w[8];
  for (int i = 0; i < 8; i++) {
    w[i] = (worker){.group = g, .index = i};
    pthread_create(&th[i], NULL, work, &w[i]);
  }
  int ok = 0, failed = 0;
  for (int i = 0; i < 8; i++) {
    pthread_join(th[i], NULL);
    ok += w[i].ok;
    failed += w[i].failed;
  }
  sp_ledger_group_close(g);
  assert_int_equal(ok, 8 * 450);
  assert_int_equal(failed, 8 * 50);
  reopen(f); /* what was acknowledged is on disk */
  assert_true(posted_balance(f->ledger, 2) == 8 * 450 * 100);
  sp_ledger_totals tot;
  assert_int_equal(sp_ledger_verify(f->store, &tot, NULL), SP_OK);
  assert_true(tot.transfers == 8 * 450);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_transfer_and_replay, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_bad_transfers, setup, teardown),
      cmocka_unit_test_setup_teardown(test_batch_is_atomic, setup, teardown),
      cmocka_unit_test_setup_teardown(test_two_phase, setup, teardown),
      cmocka_unit_test_setup_teardown(test_verify_detects_corruption, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_random_simulation, setup, teardown),
      cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
