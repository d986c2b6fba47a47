import type { ServiceInstance } from '@douyin/registry';

/** Round robin over the healthy instances, skipping those whose breaker is open and those already tried. */
export class InstancePicker {
  private next = 0;

  pick(
    instances: readonly ServiceInstance[],
    isOpen: (id: string) => boolean,
    tried: ReadonlySet<string>,
  ): ServiceInstance | undefined {
    const n = instances.length;
    for (let i = 0; i < n; i++) {
      const candidate = instances[(this.next + i) % n];
      if (candidate && !tried.has(candidate.id) && !isOpen(candidate.id)) {
        this.next = (this.next + i + 1) % n;
        return candidate;
      }
    }
    return undefined;
  }
}
