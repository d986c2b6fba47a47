// Response schemas: Fastify serializes with them, so a field that is not declared here can never reach the APK.

const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;

const status = { status_code: int, status_msg: str } as const;

const object = (properties: Record<string, unknown>) =>
  ({ type: 'object', required: Object.keys(properties), properties, additionalProperties: false }) as const;

export const UserSchema = object({
  id: int,
  name: str,
  follow_count: int,
  follower_count: int,
  is_follow: bool,
  avatar: str,
  background_image: str,
  signature: str,
  total_favorited: int,
  work_count: int,
  favorite_count: int,
});

/** The response schema of a route: status fields plus the route's own. */
export const apkResponse = (fields: Record<string, unknown> = {}) => ({ 200: object({ ...status, ...fields }) });

export const MessageSchema = object({ id: int, to_user_id: int, from_user_id: int, content: str, create_time: int });

export const FriendUserSchema = object({ ...UserSchema.properties, message: str, msgType: int });

export const VideoSchema = object({
  id: int,
  author: UserSchema,
  play_url: str,
  cover_url: str,
  favorite_count: int,
  comment_count: int,
  is_favorite: bool,
  title: str,
});

export const CommentSchema = object({ id: int, user: UserSchema, content: str, create_date: str });
