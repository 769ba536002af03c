// kubectl's short flags, as kubectl users type them, in the long form the
// kcost flag parser knows.
const SHORT_FLAGS: Readonly<Record<string, string>> = { '-n': '--namespace', '-o': '--output', '-f': '--filename' };

/**
 * Rewrites `-n ns`, `-nns`, `-n=ns`, `-o json` and `-f file` into long flags
 * and leaves everything else in place, so `kubectl cost pod -n web` reaches
 * the cost role as `--namespace web`.
 */
export function kubectlArgs(argv: readonly string[]): string[] {
  return argv.flatMap((arg) => {
    const long = SHORT_FLAGS[arg];
    if (long) return [long];
    const attached = /^(-[nof])=?(.+)$/.exec(arg);
    const flag = attached ? SHORT_FLAGS[attached[1] as string] : undefined;
    return flag && attached ? [flag, attached[2] as string] : [arg];
  });
}
