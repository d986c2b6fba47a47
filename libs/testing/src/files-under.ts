import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Every file under `root` by its path relative to it, sorted; none when `root` does not exist (yet). */
export async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1)).sort();
}
