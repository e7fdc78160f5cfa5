/**
 * The kinds of files `pxe lint` and `pxe fmt` understand, and how one is picked for a file.
 */
import { ipxeLintKind } from "./ipxe.js";
import { pxelinuxLintKind } from "./pxelinux.js";
import type { LintKind } from "./types.js";

/** Every registered kind, in tie-breaking order. */
export const LINT_KINDS: readonly LintKind[] = [ipxeLintKind, pxelinuxLintKind];

/** Names accepted by `--kind`. */
export const KIND_NAMES: readonly LintKind["kind"][] = ["ipxe", "pxelinux"];

/**
 * Picks the kind for `text`: the forced one (undefined when it is not registered), else the one
 * with the highest `detect` score (the first registered on a tie).
 */
export function pickKind(text: string, forced?: string): LintKind | undefined {
  if (forced !== undefined) return LINT_KINDS.find((k) => k.kind === forced);
  let best: LintKind | undefined;
  let bestScore = -1;
  for (const k of LINT_KINDS) {
    const s = k.detect(text);
    if (s > bestScore) {
      best = k;
      bestScore = s;
    }
  }
  return best;
}
