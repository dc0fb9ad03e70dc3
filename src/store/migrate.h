/* Migration steps in C for the SQLite store (see migrate.c). */
#ifndef SPARROW_STORE_MIGRATE_H
#define SPARROW_STORE_MIGRATE_H

#include <sqlite3.h>

/* Schema 2: balances rows become balance_chunks rows; drops balances. */
int sp__migrate_balances(sqlite3 *db);
/* Schema 4: accounts rows become account_chunks rows; drops accounts. */
int sp__migrate_accounts(sqlite3 *db);

#endif
