// Shared by the two entry points: runs the compiled CLI from dist/, or, in a
// checkout that was never built, says so in one line instead of a stack trace.
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/services/cli/main.js', import.meta.url);

/** Runs `kcost <leading...> <argv...>` and sets the process exit code. */
export async function runCli(leading, argv) {
  let cli;
  try {
    cli = await import(entry.href);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(fileURLToPath(entry))) {
      const root = fileURLToPath(new URL('..', import.meta.url)).replace(/[\\/]$/, '');
      process.stderr.write(`kcost: not built yet (no ${fileURLToPath(entry)}): run \`npm run build\` in ${root}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
  process.exitCode = await cli.main([...leading, ...argv]);
  // The role has returned: a process still alive 5 s later is held by something that will not end by itself
  // (a socket of a connection that failed), and must exit so that its supervisor can restart it. Once per
  // process, after every role of `kcost up` has stopped; the timer itself keeps nothing alive.
  setTimeout(() => {
    process.stderr.write('kcost: the role stopped, but something held the process for 5 s more; exiting\n');
    process.exit();
  }, 5_000).unref();
}
