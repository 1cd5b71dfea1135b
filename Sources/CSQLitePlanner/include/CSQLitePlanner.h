#ifndef CSQLITE_PLANNER_H
#define CSQLITE_PLANNER_H

/// Turns on SQLite's query planner stability guarantee for a connection of SQLiteNIO's bundled SQLite
/// (`SQLITE_DBCONFIG_ENABLE_QPSG`): a statement's plan no longer depends on its bound values, so binding new values
/// never forces a statement to be prepared again. `sqlite3_db_config` takes variable arguments, which Swift cannot
/// call; this is the one call, in C. Returns SQLite's result code.
int payhub_sqlite_enable_stable_plans(void *connection);

#endif
