import { sseParser } from '@douyin/testing';
import type { ApkMessage } from '../src/apk.js';

/** Parses the `event: message` frames of a push channel body, in arrival order, and the `event: closed` one. */
export function readEvents(body: ReadableStream<Uint8Array>) {
  const queue: ApkMessage[] = [];
  const waiting: Array<(m: ApkMessage) => void> = [];
  let closedWith: unknown;
  let lastId: string | undefined;
  const push = sseParser(({ event, data, id }) => {
    if (id !== undefined) lastId = id;
    if (event === 'closed') closedWith = JSON.parse(data);
    if (event !== 'message') return; // comments (connected, heartbeats) and the closing event
    const message = JSON.parse(data) as ApkMessage;
    const resolve = waiting.shift();
    if (resolve) resolve(message);
    else queue.push(message);
  });

  async function read(): Promise<void> {
    for await (const chunk of body.pipeThrough(new TextDecoderStream())) push(chunk);
  }

  return {
    next: (): Promise<ApkMessage> => {
      const queued = queue.shift();
      return queued ? Promise.resolve(queued) : new Promise((resolve) => waiting.push(resolve));
    },
    pending: () => queue.length,
    /** The `id:` of the last frame that carried one, as EventSource would send it back in Last-Event-ID. */
    lastId: () => lastId,
    /** The data of the `event: closed` the server sent before ending the stream, if it did. */
    closedWith: () => closedWith,
    /** true when the server ended the stream, false when the client aborted it */
    ended: read().then(
      () => true,
      () => false,
    ),
  };
}
