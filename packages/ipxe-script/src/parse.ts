/**
 * Entry points: {@link parse} (tree + syntax diagnostics) and {@link lint} (all diagnostics).
 *
 * @module
 */
import { analyze, type Diagnostic, syntaxDiagnosticsOf } from "./model.js";
import { type ParseInfo, parseTree, type Script } from "./syntax.js";

/** Result of {@link parse}. */
export interface ParseResult {
  /** The lossless tree: `print(tree) === text`. */
  readonly tree: Script;
  /** Syntax-level diagnostics (signature, BOM, continuation at end of file, NUL bytes). */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Parses an iPXE script into a lossless tree. Never throws, whatever the input.
 *
 * @example
 * ```ts
 * const { tree, diagnostics } = parse("#!ipxe\nchain http://boot/${mac:hexhyp}.ipxe\n");
 * print(tree); // the input, byte for byte
 * ```
 */
export function parse(text: string): ParseResult {
  const info: ParseInfo = { special: false };
  const tree = parseTree(text, undefined, info);
  return { tree, diagnostics: syntaxDiagnosticsOf(tree, text, info.special) };
}

/** Parses and analyses `text`, returning every diagnostic (syntax and semantic), sorted by position. */
export function lint(text: string): readonly Diagnostic[] {
  return analyze(text).diagnostics;
}
