export { dropIndex, replaceIndex, type IndexSpec } from './indexes.js';
export { addToCounters, counterUpsertSql, pairCounterUpsertsSql, type CounterChange, type CounterSide, type CounterTable } from './counters.js';
export { createDb, type DbConfig } from './create-db.js';
export { dialectOf, type Dialect } from './dialect.js';
export { databaseUnavailable, isConnectionLost, isDatabaseUnavailable, isUniqueViolation } from './errors.js';
export { migrateToLatest, type MigrateOptions } from './migrate.js';
export { isDeadlock, retryDeadlocks, transactionWithRetry, type Rollback } from './transaction.js';
export { callTransactionProcedure, changedByProcedure, createTransactionProcedure, dropProcedure, type TransactionProcedure } from './procedures.js';
export { existingPairs, existingPairsQuery, type PairTable } from './pairs.js';
