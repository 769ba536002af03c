/**
 * Rewrites a role's short flags into the long flags the settings parser knows:
 * `-n ns`, `-nns` and `-n=ns` all become `--namespace ns`. Everything else,
 * `-h` included, stays in place.
 */
export function expandShortFlags(argv: readonly string[], shortFlags: Readonly<Record<string, string>>): string[] {
  return argv.flatMap((arg) => {
    const long = shortFlags[arg];
    if (long) return [long];
    const attached = /^(-[a-zA-Z])=?(.+)$/.exec(arg);
    const flag = attached ? shortFlags[attached[1] as string] : undefined;
    return flag && attached ? [flag, attached[2] as string] : [arg];
  });
}
