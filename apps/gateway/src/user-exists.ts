import type { UserRouter } from '@douyin/contracts';
import { meshErrorData, type MeshClient } from '@douyin/mesh';

/** Asks the user service whether an account exists; any failure other than "not found" propagates. */
export const userExists =
  (user: Pick<MeshClient<UserRouter>, 'byId'>) =>
  async (userId: number): Promise<boolean> => {
    try {
      await user.byId.query({ userId });
      return true;
    } catch (err) {
      if (meshErrorData(err)?.code === 'NOT_FOUND') return false;
      throw err;
    }
  };
