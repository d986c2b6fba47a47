// `npm run tokens -w @douyin/bench -- --gateway http://gateway:8080 --users 1000 --out tokens.txt`: logs the seeded
// users 1..N in (or those of `--credentials <file of "<username> <password>" lines>`) and writes the TOKENS file
// deploy/wrk's scripts read.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { userRow } from '../seed/rows.js';
import { SEED_PASSWORD } from '../seed/seeder.js';
import { loginTokens, parseCredentials, type Credential } from './login-tokens.js';

const { values } = parseArgs({
  options: {
    gateway: { type: 'string', default: 'http://127.0.0.1:8080' },
    users: { type: 'string', default: '1000' },
    credentials: { type: 'string' },
    out: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
  },
});
const count = Number(values.users);
const concurrency = Number(values.concurrency);
if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(concurrency) || concurrency < 1) {
  process.stderr.write('--users and --concurrency take a positive integer\n');
  process.exit(2);
}
const credentials: Credential[] = values.credentials
  ? parseCredentials(await readFile(values.credentials, 'utf8'))
  : Array.from({ length: count }, (_, i) => ({ username: userRow(i + 1, '').username, password: SEED_PASSWORD }));
const started = Date.now();
const lines = await loginTokens({ gateway: values.gateway, credentials, concurrency });
const text = `${lines.join('\n')}\n`;
if (values.out) await writeFile(values.out, text);
else process.stdout.write(text);
process.stderr.write(`${lines.length} users logged in in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
