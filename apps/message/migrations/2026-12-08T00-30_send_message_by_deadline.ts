import type { Kysely } from 'kysely';
import { createTransactionProcedure, dropProcedure } from '@douyin/db';
import { SEND_MESSAGE } from './2026-12-06T06-30_send_message_procedure.js';

// The same procedure under a new name, created as every transaction procedure now is: it rolls back, instead of
// committing, when it reaches its commit after its caller's deadline (createTransactionProcedure), so that a message the
// phone was told had failed is not kept, and the phone's retry does not save it twice. The version before, made
// without that check, stays for the instances of the previous release during a rolling update.
const PROCEDURE = 'send_message_v2';

export async function up(db: Kysely<any>): Promise<void> {
  await createTransactionProcedure(db, { ...SEND_MESSAGE, name: PROCEDURE });
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropProcedure(db, PROCEDURE);
}
