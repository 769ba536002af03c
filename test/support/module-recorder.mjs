// `node --import <this file> ...` appends the URL of every module the process resolves (static and
// dynamic imports, and the CommonJS packages they import) to the file named by KCOST_MODULE_RECORD,
// one a line. It registers itself as Node's resolve hook, which runs in a loader thread of its own,
// where isMainThread is false, so that it registers once.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) register(import.meta.url);

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(process.env.KCOST_MODULE_RECORD, `${resolved.url}\n`);
  return resolved;
}
