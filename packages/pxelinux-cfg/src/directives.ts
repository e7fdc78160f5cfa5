/**
 * The directive vocabulary of both syslinux readers: the core one in ldlinux.c32
 * (`com32/elflink/ldlinux/readconfig.c`) and the one in menu.c32/vesamenu.c32
 * (`com32/menu/readconfig.c`). Names are the folded keywords joined by one space.
 */

/** Kernel-type keywords (`kernel_types[]`, in syslinux's order). */
export const KernelTypes = [
  "none",
  "localboot",
  "kernel",
  "linux",
  "boot",
  "bss",
  "pxe",
  "fdimage",
  "comboot",
  "com32",
  "config",
] as const;
/** One kernel-type keyword. */
export type KernelType = (typeof KernelTypes)[number];

/** Top-level keywords both readers understand. */
const SHARED_TOP = [
  "include",
  "append",
  "initrd",
  "label",
  ...KernelTypes,
  "timeout",
  "totaltimeout",
  "ontimeout",
  "allowoptions",
  "ipappend",
  "sysappend",
  "default",
  "ui",
] as const;

/** Top-level keywords only the core (ldlinux) reader understands; menu.c32 ignores them. */
export const CoreOnlyTop = [
  "display",
  "font",
  "kbdmap",
  "implicit",
  "prompt",
  "console",
  "noescape",
  "nocomplete",
  "nohalt",
  "onerror",
  "pxeretry",
  "serial",
  "say",
  "path",
  "sendcookies",
] as const;

/** Menu layout parameters (`mparm[]`), read with `atoi()`. */
export const LayoutParams = [
  "width",
  "margin",
  "passwordmargin",
  "rows",
  "tabmsgrow",
  "cmdlinerow",
  "endrow",
  "passwordrow",
  "timeoutrow",
  "helpmsgrow",
  "helpmsgendrow",
  "hshift",
  "vshift",
  "hiddenrow",
] as const;

/** `MENU` sub-keywords both readers understand (besides layout parameters). */
const SHARED_MENU = [
  "label",
  "title",
  "default",
  "hide",
  "passwd",
  "shiftkey",
  "save",
  "nosave",
  "onerror",
  "master passwd",
  "include",
  "background",
  "hidden",
  "autoboot",
  "tabmsg",
  "notabmsg",
  "passprompt",
  "color",
  "colour",
  "msgcolor",
  "msgcolour",
  "separator",
  "disable",
  "disabled",
  "indent",
  "begin",
  "end",
  "quit",
  "goto",
  "exit",
  "start",
] as const;

/** `MENU` sub-keywords only menu.c32/vesamenu.c32 understand; the core reader ignores them. */
export const MenuOnlyMenu = [
  "immediate",
  "noimmediate",
  "hiddenkey",
  "clear",
  "help",
  "resolution",
] as const;

/** Which reader(s) act on a directive. */
export type DirectiveReaders = "both" | "core" | "menu";

/** Every directive name with the readers that act on it. */
export const Directives: ReadonlyMap<string, DirectiveReaders> = (() => {
  const m = new Map<string, DirectiveReaders>();
  for (const k of SHARED_TOP) m.set(k, "both");
  for (const k of CoreOnlyTop) m.set(k, "core");
  for (const k of SHARED_MENU) m.set(`menu ${k}`, "both");
  for (const k of LayoutParams) m.set(`menu ${k}`, "both");
  for (const k of MenuOnlyMenu) m.set(`menu ${k}`, "menu");
  m.set("text help", "both");
  m.set("text", "both");
  for (let i = 0; i <= 12; i++) m.set(`f${i}`, "both");
  return m;
})();

/** The set of top-level keywords (first word of a line) the CST recognises. */
export const TopKeywords: ReadonlySet<string> = new Set<string>([...SHARED_TOP, ...CoreOnlyTop]);

/** The set of `MENU` sub-keywords the CST recognises (single words; `master` is handled apart). */
export const MenuKeywords: ReadonlySet<string> = new Set<string>([
  ...SHARED_MENU.filter((k) => k !== "master passwd"),
  ...LayoutParams,
  ...MenuOnlyMenu,
]);

/** Canonical spelling of a directive name for the formatter, e.g. `menu master passwd` -> `MENU MASTER PASSWD`. */
export function canonicalKeyword(name: string): string {
  return name.toUpperCase();
}
