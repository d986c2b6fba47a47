// Just enough of the protobuf wire format to read an OTLP ExportTraceServiceRequest (opentelemetry-proto, trace/v1):
// the encoding exporters send by default, so the receiver sees what a collector would.
import type { ReceivedSpan } from './otlp-receiver.js';

type Field = { number: number; wire: number; value: bigint | Buffer };

function varint(buf: Buffer, at: number): [bigint, number] {
  let result = 0n;
  for (let shift = 0n; ; shift += 7n) {
    if (at >= buf.length) throw new Error('truncated varint');
    const byte = buf[at++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, at];
  }
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  for (let at = 0; at < buf.length; ) {
    const [key, next] = varint(buf, at);
    const number = Number(key >> 3n);
    const wire = Number(key & 7n);
    at = next;
    if (wire === 0) {
      const [value, after] = varint(buf, at);
      out.push({ number, wire, value });
      at = after;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      out.push({ number, wire, value: buf.subarray(at, at + size) });
      at += size;
    } else if (wire === 2) {
      const [length, after] = varint(buf, at);
      out.push({ number, wire, value: buf.subarray(after, after + Number(length)) });
      at = after + Number(length);
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
  return out;
}

const bytesOf = (list: Field[], number: number): Buffer[] => list.filter((f) => f.number === number && f.wire === 2).map((f) => f.value as Buffer);
const first = (list: Field[], number: number) => list.find((f) => f.number === number);

function anyValue(buf: Buffer): unknown {
  const f = fields(buf)[0];
  if (!f) return undefined;
  switch (f.number) {
    case 1:
      return (f.value as Buffer).toString('utf8');
    case 2:
      return f.value === 1n;
    case 3:
      return String(BigInt.asIntN(64, f.value as bigint));
    case 4:
      return (f.value as Buffer).readDoubleLE(0);
    default:
      return undefined;
  }
}

const attributes = (list: Buffer[]): Record<string, unknown> =>
  Object.fromEntries(
    list.map((kv) => {
      const parts = fields(kv);
      return [bytesOf(parts, 1)[0]?.toString('utf8') ?? '', anyValue(bytesOf(parts, 2)[0] ?? Buffer.alloc(0))];
    }),
  );

/** The spans of one ExportTraceServiceRequest body, each with its resource's service.name. */
export function decodeTraceRequest(body: Buffer): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of bytesOf(fields(body), 1)) {
    const rs = fields(resourceSpans);
    const resource = attributes(bytesOf(fields(bytesOf(rs, 1)[0] ?? Buffer.alloc(0)), 1));
    for (const scopeSpans of bytesOf(rs, 2)) {
      for (const raw of bytesOf(fields(scopeSpans), 2)) {
        const span = fields(raw);
        const hex = (n: number) => bytesOf(span, n)[0]?.toString('hex') ?? '';
        spans.push({
          service: String(resource['service.name']),
          traceId: hex(1),
          spanId: hex(2),
          parentSpanId: hex(4),
          name: bytesOf(span, 5)[0]?.toString('utf8') ?? '',
          kind: Number(first(span, 6)?.value ?? 0n),
          attributes: attributes(bytesOf(span, 9)),
        });
      }
    }
  }
  return spans;
}
