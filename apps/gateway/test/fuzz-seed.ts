import assert from 'node:assert/strict';
import { multipartBody } from './multipart.js';
import { apkCall } from './processes.js';

interface Answer {
  status_code: number;
  status_msg: string;
  user_id: number;
  token: string;
  video_list: Array<{ id: number }>;
  comment: { id: number };
}

interface Account {
  id: number;
  token: string;
}

/** The users the seed registered; alice's token is the one the fuzz holds. */
export interface Seeded {
  alice: Account;
  bob: Account;
  carol: Account;
}

/**
 * Data for the fuzz to aim at, written through the APK routes as a phone would: users 1-3, videos 1-2, comments
 * 1-3, likes, follows and messages. For each kind of write alice could wrongly make, one plausible target holds a
 * row of hers (a wrong unlike, delete or unfollow removes it) and one does not (a wrong like or follow adds one).
 */
export async function seedThroughApk(base: string, video: Buffer): Promise<Seeded> {
  const call = async (method: 'GET' | 'POST', path: string, params: Record<string, string | number>, form?: ReturnType<typeof multipartBody>) => {
    const answer = await apkCall<Answer>(base, method, path, params, { form, timeoutMs: 30_000 });
    assert.equal(answer.status_code, 0, `seeding ${path} ${JSON.stringify(params)}: ${answer.status_msg}`);
    return answer;
  };
  // One after another: ids follow creation order, and the fuzz's plausible ids are 1, 2, 3.
  const accounts: Account[] = [];
  for (const username of ['alice', 'bob', 'carol']) {
    const { user_id: id, token } = await call('POST', '/douyin/user/register/', { username, password: 'secret1' });
    accounts.push({ id, token });
  }
  const [alice, bob, carol] = accounts as [Account, Account, Account];
  const videoIds: number[] = [];
  for (const author of [alice, bob]) {
    const form = multipartBody([{ name: 'token', value: author.token }, { name: 'title', value: 'seeded' }, { name: 'data', value: video, filename: 'x.mp4' }]);
    await call('POST', '/douyin/publish/action/', {}, form);
    videoIds.push(...(await call('GET', '/douyin/publish/list/', { user_id: author.id })).video_list.map((v) => v.id));
  }
  const [aliceVideo, bobVideo] = videoIds as [number, number];
  const like = (who: Account, videoId: number) => call('POST', '/douyin/favorite/action/', { token: who.token, video_id: videoId, action_type: 1 });
  const comment = async (who: Account, videoId: number) =>
    (await call('POST', '/douyin/comment/action/', { token: who.token, video_id: videoId, action_type: 1, comment_text: `from ${who.id}` })).comment.id;
  const follow = (who: Account, to: Account) => call('POST', '/douyin/relation/action/', { token: who.token, to_user_id: to.id, action_type: 1 });
  const message = (who: Account, to: Account) => call('POST', '/douyin/message/action/', { token: who.token, to_user_id: to.id, action_type: 1, content: `hi ${to.id}` });

  await like(alice, aliceVideo);
  await like(bob, aliceVideo);
  await like(bob, bobVideo);
  const commentIds = [await comment(alice, aliceVideo), await comment(bob, aliceVideo), await comment(alice, bobVideo)];
  await follow(alice, bob);
  await follow(bob, alice);
  await follow(carol, alice);
  await message(alice, bob);
  await message(bob, alice);
  await message(carol, alice);

  assert.deepEqual(
    { users: accounts.map((a) => a.id), videos: videoIds, comments: commentIds },
    { users: [1, 2, 3], videos: [1, 2], comments: [1, 2, 3] },
    'the seeded rows have the ids the fuzz aims at',
  );
  return { alice, bob, carol };
}
