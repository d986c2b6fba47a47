export { createCallerFactory, procedure, router, type CallContext } from './trpc.js';
export { Reason, domainError } from './errors.js';
export { ID_BATCH_MAX, Id, IdBatch, inBatches } from './ids.js';
export { LIST_MAX, ListLimit } from './lists.js';
export { PAIR_BATCH_MAX, PairsInput, USER_BATCH_MAX, UserItems, answerOf, questionsOf } from './pairs.js';
export { LIMITS, codePointLength, hasControlChars, isBlank, isWellFormedText } from './text-rules.js';
export {
  Credentials,
  Password,
  UserIdInput,
  UserIdsInput,
  Username,
  userRouter,
  type UserHandlers,
  type UserProfile,
  type UserRouter,
} from './user.js';
export { requireUsers, type UserLookup } from './user-check.js';
export {
  FollowInput,
  RelationFactsInput,
  RelationUserInput,
  relationRouter,
  type RelationFacts,
  type RelationHandlers,
  type RelationRouter,
} from './relation.js';
export {
  ConversationInput,
  INBOX_LIMIT,
  INBOX_RECENT_MS,
  InboxInput,
  LatestInput,
  MESSAGE_CONTENT,
  MessageContent,
  SendInput,
  messageRouter,
  type Message,
  type MessageHandlers,
  type MessageRouter,
} from './message.js';
export {
  AuthorInput,
  FEED_MAX,
  FeedInput,
  PublishInput,
  StagingKey,
  Title,
  VideoIdsInput,
  WorkCountsInput,
  videoRouter,
  type Video,
  type VideoHandlers,
  type VideoRouter,
} from './video.js';
export { requireVideo, type VideoLookup } from './video-check.js';
export { requireActorAndVideo } from './actor-check.js';
export {
  LikeInput,
  LikedVideosInput,
  UserFavoriteFactsInput,
  VideoFavoriteFactsInput,
  favoriteRouter,
  type FavoriteHandlers,
  type FavoriteRouter,
  type UserFavoriteFacts,
  type VideoFavoriteFacts,
} from './favorite.js';
export {
  AddCommentInput,
  COMMENT_TEXT,
  CommentCountsInput,
  CommentListInput,
  CommentText,
  RemoveCommentInput,
  commentRouter,
  type Comment,
  type CommentHandlers,
  type CommentRouter,
} from './comment.js';
