import type { ApkMessage } from '../src/apk.js';

/** Parses the `event: message` frames of a push channel body, in arrival order, and the `event: closed` one. */
export function readEvents(body: ReadableStream<Uint8Array>) {
  const queue: ApkMessage[] = [];
  const waiting: Array<(m: ApkMessage) => void> = [];
  let closedWith: unknown;

  async function read(): Promise<void> {
    let buffer = '';
    for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const closing = /^event: closed\ndata: (.*)$/m.exec(frame)?.[1];
        if (closing !== undefined) closedWith = JSON.parse(closing);
        const data = /^event: message\ndata: (.*)$/m.exec(frame)?.[1];
        if (data === undefined) continue; // comments (connected, heartbeats) and the closing event
        const message = JSON.parse(data) as ApkMessage;
        const resolve = waiting.shift();
        if (resolve) resolve(message);
        else queue.push(message);
      }
    }
  }

  return {
    next: (): Promise<ApkMessage> => {
      const queued = queue.shift();
      return queued ? Promise.resolve(queued) : new Promise((resolve) => waiting.push(resolve));
    },
    pending: () => queue.length,
    /** The data of the `event: closed` the server sent before ending the stream, if it did. */
    closedWith: () => closedWith,
    /** true when the server ended the stream, false when the client aborted it */
    ended: read().then(
      () => true,
      () => false,
    ),
  };
}
