/** warrenctl: Warren's admin CLI in rabbitmqctl syntax; see `warrenctl help`. */
import { runWarrenctl } from '../ctl/run.js';

function readAllStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

/** Exit only once stdout and stderr are flushed (they are pipes when a script reads them). */
function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

runWarrenctl({
  argv: process.argv.slice(2),
  env: process.env,
  writeStdout: (text) => process.stdout.write(text),
  writeStderr: (text) => process.stderr.write(text),
  readStdin: readAllStdin,
}).then(exitAfterFlush, (err: unknown) => {
  process.stderr.write(`warrenctl: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  exitAfterFlush(70);
});
