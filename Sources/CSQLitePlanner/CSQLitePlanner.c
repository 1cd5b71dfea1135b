#include "CSQLitePlanner.h"

// Declared here rather than included: the function is SQLiteNIO's bundled SQLite (VaporCSQLite), linked into
// every binary that links PayHubServer.
extern int sqlite_nio_sqlite3_db_config(void *connection, int operation, ...);

// sqlite3.h: #define SQLITE_DBCONFIG_ENABLE_QPSG 1007 /* int int* */
enum { payhub_sqlite_dbconfig_enable_qpsg = 1007 };

int payhub_sqlite_enable_stable_plans(void *connection) {
    return sqlite_nio_sqlite3_db_config(connection, payhub_sqlite_dbconfig_enable_qpsg, 1, (int *)0);
}
