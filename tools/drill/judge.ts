/**
 * The restore drill's verdict on a restored pair (the read model and the broker), from what each
 * holds: the VNeID dossiers of the restored read model with the instance each is bound to, the
 * keys of the instances the broker still holds, and the requests the one-stop partner had an
 * answer for. Kept apart from the drill's stacks so that its rules are tested on their own.
 */

/** A VNeID dossier as the read model holds it. */
export interface BoundDossier {
  code: string;
  receipt: string;
  status: string;
  /** Its process instance (the national process's root instance), null until bound. */
  key: string | null;
}

export interface Verdict {
  /**
   * An open dossier without its instance in the broker; a dossier whose instance is bound to
   * another dossier too (a restored broker hands out again the keys its copy had not yet issued);
   * an answered request without a dossier.
   */
  lost: string[];
  /** An instance of the broker that no dossier is bound to (a duplicate start included). */
  orphans: string[];
}

/**
 * `restored`: the read model's VNeID dossiers; `living`: the instances the broker holds among
 * every key either stack ever bound; `answered`: the receipt numbers the partner had an answer for.
 */
export function judge(restored: readonly BoundDossier[], living: ReadonlySet<string>, answered: readonly string[]): Verdict {
  const receipts = new Set(restored.map((d) => d.receipt));
  const bound = new Set(restored.flatMap((d) => (d.key ? [d.key] : [])));
  const codesOf = new Map<string, string[]>();
  for (const d of restored) if (d.key) codesOf.set(d.key, [...(codesOf.get(d.key) ?? []), d.code]);
  const shared = [...codesOf].filter(([, codes]) => codes.length > 1);
  const lost = [
    ...restored.filter((d) => d.status === 'open' && !(d.key && living.has(d.key))).map((d) => `${d.code}: open, instance ${d.key ?? 'none'} not in the broker`),
    ...shared.flatMap(([key, codes]) => codes.map((code) => `${code}: instance ${key} bound to ${codes.length} dossiers`)),
    ...answered.filter((receipt) => !receipts.has(receipt)).map((receipt) => `receipt ${receipt}: answered, no dossier`),
  ];
  const orphans = [...living].filter((key) => !bound.has(key)).map((key) => `instance ${key}: no dossier bound to it`);
  return { lost, orphans };
}
