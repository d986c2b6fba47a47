import { z } from 'zod';

/**
 * The most entries one list answers, its newest ones. The APK cannot page its lists (contract §8.3), so a list is read
 * whole on every request: unbounded, a viral video's comments or a celebrity's followers cost the database, every
 * service on the way and the phone a read of all of them each time, and a list of long entries outgrows the mesh's
 * 16 MiB frame and fails whole. 3,000 of the longest entries (messages of 1,000 four-byte code points) fit one frame.
 */
export const LIST_MAX = 3000;

export const ListLimit = z.number().int().min(1).max(LIST_MAX).default(LIST_MAX);
