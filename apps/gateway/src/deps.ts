import type { TokenIssuer } from '@douyin/auth';
import type { CommentRouter, FavoriteRouter, FeedInput, MessageRouter, RelationRouter, UserLookup, UserRouter, Video, VideoLookup, VideoRouter } from '@douyin/contracts';
import type { MeshClient } from '@douyin/mesh';
import type { LoginGuard, RouteLimiter } from '@douyin/ratelimit';
import type { ObjectStore } from '@douyin/storage';
import type { Logger } from '@douyin/telemetry';
import type { Authenticator } from './auth.js';
import type { MediaUrls } from './media-urls.js';
import type { ProfileImageUrls } from './profile-images.js';
import type { UploadRateFloor } from './body-limits.js';
import type { UploadSlots } from './upload-slots.js';
import type { UserExtras, VideoExtras } from './apk.js';
import type { FactsSources } from './views/facts.js';

/** Everything the routes need, as narrow as they use it, so tests can pass plain objects. */
export interface GatewayDeps {
  user: Pick<MeshClient<UserRouter>, 'register' | 'login' | 'byId'> & UserLookup;
  userFacts: FactsSources<UserExtras>;
  relation: Pick<MeshClient<RelationRouter>, 'follow' | 'unfollow' | 'following' | 'followers' | 'friends'>;
  message: Pick<MeshClient<MessageRouter>, 'send' | 'conversation' | 'latest' | 'inbox'>;
  video: Pick<MeshClient<VideoRouter>, 'publish' | 'byAuthor'> & VideoLookup & { feed: { query(input: FeedInput): Promise<Video[]> } };
  videoFacts: FactsSources<VideoExtras>;
  favorite: Pick<MeshClient<FavoriteRouter>, 'like' | 'unlike' | 'likedVideos'>;
  comment: Pick<MeshClient<CommentRouter>, 'add' | 'remove' | 'list'>;
  /** IANA zone of Comment.create_date. */
  timeZone: string;
  /** Uploads stream into `store` (staging keys); media are served from it; URLs come from `urls`. */
  media: {
    store: Pick<ObjectStore, 'put' | 'stat' | 'get' | 'delete'>;
    urls: MediaUrls;
    maxUploadBytes: number;
    /** Uploads being received at once (MAX_CONCURRENT_UPLOADS, _PER_IP). */
    slots: UploadSlots;
    /** Budget of one publish call; uploads near the size limit need more than MESH_TIMEOUT_MS. */
    publishTimeoutMs: number;
  };
  feedPageSize: number;
  /** Entries of an unpaged list (LIST_LIMIT): the newest ones. */
  listLimit: number;
  /** Every user's avatar and banner: the default images the gateway serves (the APK cannot set its own). */
  profileImages: ProfileImageUrls;
  /** Push connections one user may hold open on this gateway (PUSH_CONNECTIONS_PER_USER); absent: the hub's default. */
  pushConnectionsPerUser?: number;
  /** How long a body other than an upload may take to arrive (30 s; tests shorten it). */
  bodyTimeoutMs?: number;
  /** How long a connection may go with nothing moving before it is closed (from PUBLISH_TIMEOUT_MS; tests shorten it). */
  idleTimeoutMs?: number;
  /** The slowest an upload may arrive (UPLOAD_MIN_RATE); absent: Node's request timeout alone bounds it. */
  uploadFloor?: UploadRateFloor;
  /** Budget of the mesh calls one request makes together, from its arrival (MESH_TIMEOUT_MS). */
  requestBudgetMs: number;
  logger: Logger;
  tokens: Pick<TokenIssuer, 'issue'>;
  auth: Authenticator;
  /** Addresses whose X-Forwarded-For names the client (TRUSTED_PROXIES); absent or empty: the socket's address. */
  trustedProxies?: string[];
  /** Token buckets per IP and user (contract §8.3); absent = no limits (RATE_LIMITS=off, most tests). */
  limiter?: RouteLimiter;
  /** Blocks a username+IP after wrong passwords in a row, and an IP spraying many usernames; absent = off. */
  loginGuard?: LoginGuard;
}
