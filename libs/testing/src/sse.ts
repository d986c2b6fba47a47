/** One server-sent event: its `event:` name (undefined for a comment-only frame), its `data:` lines joined, its `id:`. */
export interface SseFrame {
  event: string | undefined;
  data: string;
  id?: string;
}

/**
 * A push parser of a text/event-stream body: feed it the body's text as it arrives, in chunks cut anywhere, and
 * it calls `onFrame` once per complete frame, in order. Comments (`: ping`) leave a frame with no event and no data.
 */
export function sseParser(onFrame: (frame: SseFrame) => void): (chunk: string) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const lines = buffer.slice(0, end).split('\n');
      buffer = buffer.slice(end + 2);
      let event: string | undefined;
      let id: string | undefined;
      const data: string[] = [];
      for (const line of lines) {
        if (line.startsWith('event: ')) event = line.slice('event: '.length);
        else if (line.startsWith('data: ')) data.push(line.slice('data: '.length));
        else if (line.startsWith('id: ')) id = line.slice('id: '.length);
      }
      onFrame({ event, data: data.join('\n'), ...(id === undefined ? {} : { id }) });
    }
  };
}
