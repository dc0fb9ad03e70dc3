/* Ledger internals shared by ledger.c (memory, commit), apply.c
 * (transfer rules) and verify.c (the invariant). */
#ifndef SPARROW_LEDGER_INT_H
#define SPARROW_LEDGER_INT_H

#include "ledger/idmap.h"
#include "sparrow/ledger.h"
#include "sparrow/store.h"

/* An account held in memory, with the window it was last dirtied in. */
typedef struct sp__entry {
  sp_account account;
  uint64_t dirty_window; /* == ledger->window when in the dirty list */
  uint64_t undo_submit;  /* == ledger->submit when saved in the undo log */
  int stored;            /* the store has a row for it (update, not insert) */
} sp__entry;

/* A transfer applied in the window but not yet committed. */
typedef struct sp__wtransfer {
  sp_transfer transfer;
  int state; /* sp_pending_state */
} sp__wtransfer;

/* A state change of a pending transfer committed in an earlier window. */
typedef struct sp__wstate {
  sp_transfer pending; /* as stored */
  int state;
} sp__wstate;

typedef struct sp__undo {
  uint32_t entry;
  sp_account before;
} sp__undo;

/* Values in the window map: >= 0 a window transfer, < 0 a state change. */
#define SP__WSTATE(k) (-(int32_t)(k)-1)

struct sp_ledger {
  sp_store *store;
  uint64_t window; /* current window number, starts at 1 */
  uint64_t submit; /* current submit number */
  uint64_t id_max; /* highest transfer id committed or in the window */
  uint64_t id_max_committed;

  sp__entry *entries; /* account cache */
  size_t n_entries, cap_entries;
  sp__idmap account_index; /* account id -> entry */

  sp__wtransfer *wtransfers; /* the window */
  size_t n_wtransfers;
  sp__wstate *wstates;
  size_t n_wstates;
  sp__idmap window_index; /* transfer id -> SP__WSTATE or window index */
  uint32_t *dirty;        /* entries changed in the window */
  size_t n_dirty;

  sp__undo *undo; /* before-images of the current submit */
  size_t n_undo;
};

/* Finds (loading from the store if needed) an account's entry. Returns
 * SP_OK, SP_ENOTFOUND or a store error. */
int sp__ledger_entry(sp_ledger *l, uint64_t id, uint32_t *out, sp_error *err);

/* Saves an entry's before-image for this submit and marks it dirty. */
int sp__ledger_touch(sp_ledger *l, uint32_t entry, sp_error *err);

/* Applies one transfer (see apply.c). */
int sp__ledger_apply(sp_ledger *l, const sp_transfer *t, int *status,
                     size_t index, sp_error *err);

#endif
