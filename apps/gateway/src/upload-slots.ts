/** Uploads one gateway receives at once, in all and from one client IP. */
export interface UploadSlotLimits {
  total: number;
  perIp: number;
}

export interface UploadSlots {
  /** A slot for an upload from `ip`, released by calling what it returns; undefined when none is free. */
  take(ip: string): (() => void) | undefined;
}

/**
 * Bounds the uploads being received. An upload is read before its token when the file part comes first (the APK
 * sends it first), so without a bound anyone could hold many slow uploads open at once, each keeping up to two S3
 * parts in the gateway's memory. Counted per process: each replica protects its own memory.
 */
export function uploadSlots(limits: UploadSlotLimits): UploadSlots {
  let total = 0;
  const byIp = new Map<string, number>();
  return {
    take(ip) {
      const fromIp = byIp.get(ip) ?? 0;
      if (total >= limits.total || fromIp >= limits.perIp) return undefined;
      total++;
      byIp.set(ip, fromIp + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        total--;
        const left = (byIp.get(ip) ?? 1) - 1;
        if (left === 0) byIp.delete(ip);
        else byIp.set(ip, left);
      };
    },
  };
}
