/** A one-line progress bar on stderr: what, how far, how fast. Redrawn at most a few times a second. */
export function progressBar(label: string, total: number, from: number) {
  const started = Date.now();
  let last = 0;
  const draw = (done: number, final = false) => {
    const now = Date.now();
    if (!final && now - last < 250) return;
    last = now;
    const ratio = total === 0 ? 1 : done / total;
    const width = 30;
    const filled = Math.round(ratio * width);
    const rate = ((done - from) / Math.max(0.001, (now - started) / 1000)).toFixed(0);
    process.stderr.write(`\r  ${label.padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${done}/${total} ${rate} rows/s   `);
    if (final) process.stderr.write('\n');
  };
  return { update: (done: number) => draw(done), finish: () => draw(total, true) };
}
