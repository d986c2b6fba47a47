import type { Comment, Message, UserProfile } from '@douyin/contracts';
import type { ProfileImageUrls } from './profile-images.js';

// APK JSON shapes (contract §2), snake_case, every field always present. Only this file converts to them.

export interface ApkUser {
  id: number;
  name: string;
  follow_count: number;
  follower_count: number;
  is_follow: boolean;
  avatar: string;
  background_image: string;
  signature: string;
  total_favorited: number;
  work_count: number;
  favorite_count: number;
}

/** Counts and flags that other services own; zero until those services answer. */
export interface UserExtras {
  followCount: number;
  followerCount: number;
  isFollow: boolean;
  totalFavorited: number;
  workCount: number;
  favoriteCount: number;
}

export const NO_EXTRAS: UserExtras = {
  followCount: 0,
  followerCount: 0,
  isFollow: false,
  totalFavorited: 0,
  workCount: 0,
  favoriteCount: 0,
};

export const ZERO_USER: ApkUser = {
  id: 0,
  name: '',
  follow_count: 0,
  follower_count: 0,
  is_follow: false,
  avatar: '',
  background_image: '',
  signature: '',
  total_favorited: 0,
  work_count: 0,
  favorite_count: 0,
};

export function toApkUser(profile: UserProfile, extras: UserExtras, images: ProfileImageUrls): ApkUser {
  return {
    id: profile.id,
    name: profile.name,
    follow_count: extras.followCount,
    follower_count: extras.followerCount,
    is_follow: extras.isFollow,
    avatar: images.avatar,
    background_image: images.background,
    signature: profile.signature,
    total_favorited: extras.totalFavorited,
    work_count: extras.workCount,
    favorite_count: extras.favoriteCount,
  };
}

export interface ApkMessage {
  id: number;
  to_user_id: number;
  from_user_id: number;
  content: string;
  create_time: number;
}

export const toApkMessage = (m: Message): ApkMessage => ({
  id: m.id,
  to_user_id: m.toId,
  from_user_id: m.fromId,
  content: m.content,
  create_time: m.createTime,
});

/** A friend-list entry: the User fields flattened, plus the conversation's latest message (contract §2.5). */
export interface ApkFriendUser extends ApkUser {
  message: string;
  /** exact spelling: 1 = the viewer sent the latest message, 0 = received it or there is none */
  msgType: number;
}

/** A friend of the viewer: followed both ways, so is_follow is true (contract: "true for every entry"). */
export function toApkFriendUser(user: ApkUser, latest: Message | undefined, viewerId: number): ApkFriendUser {
  return { ...user, is_follow: true, message: latest?.content ?? '', msgType: latest?.fromId === viewerId ? 1 : 0 };
}

export interface ApkVideo {
  id: number;
  author: ApkUser;
  play_url: string;
  cover_url: string;
  favorite_count: number;
  comment_count: number;
  is_favorite: boolean;
  title: string;
}

/** Counts and flags about videos that other services own (favorite, comment); zero until they answer. */
export interface VideoExtras {
  favoriteCount: number;
  commentCount: number;
  isFavorite: boolean;
}

export const NO_VIDEO_EXTRAS: VideoExtras = { favoriteCount: 0, commentCount: 0, isFavorite: false };

export function toApkVideo(
  video: { id: number; title: string },
  author: ApkUser,
  urls: { play: string; cover: string },
  extras: VideoExtras,
): ApkVideo {
  return {
    id: video.id,
    author,
    play_url: urls.play,
    cover_url: urls.cover,
    favorite_count: extras.favoriteCount,
    comment_count: extras.commentCount,
    is_favorite: extras.isFavorite,
    title: video.title,
  };
}

export interface ApkComment {
  id: number;
  user: ApkUser;
  content: string;
  /** "MM-DD" in the configured time zone (contract §2.3). */
  create_date: string;
}

export const ZERO_COMMENT: ApkComment = { id: 0, user: ZERO_USER, content: '', create_date: '' };

/** "MM-DD" of an epoch-ms instant in an IANA time zone. */
export function monthDay(epochMs: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, month: '2-digit', day: '2-digit' }).formatToParts(epochMs);
  const part = (type: 'month' | 'day') => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('month')}-${part('day')}`;
}

export function toApkComment(comment: Comment, user: ApkUser, timeZone: string): ApkComment {
  return { id: comment.id, user, content: comment.content, create_date: monthDay(comment.createdAt, timeZone) };
}
