/**
 * Migration: turns a resolved PXELINUX model into an equivalent iPXE script, built with
 * `@pxe/ipxe-script`'s builder. One iPXE menu per PXELINUX menu (same entries, same order,
 * same default and timeout), one `:label` section per bootable entry, kernels and initrds
 * fetched over HTTP from `baseUrl` (which stands for the TFTP root).
 */
import {
  buildScript,
  type CommandSpec,
  type MenuGapSpec,
  type MenuItemSpec,
  type StatementSpec,
} from "@pxe/ipxe-script";
import { firstWord } from "./chars.js";
import type { ResolvedPath } from "./lookup.js";
import type { LabelEntry, MenuModel, PxelinuxModel } from "./model.js";

/** Options of {@link toIpxe}. */
export interface ToIpxeOptions {
  /** HTTP base URL standing for the TFTP root, e.g. `http://10.0.0.1/tftp/`. */
  readonly baseUrl: string;
  /** Setting `choose` stores the selection in (default `selected`). */
  readonly setting?: string;
}

/** Something the migration could not carry over exactly. */
export interface ConversionNote {
  readonly severity: "warning" | "info";
  readonly message: string;
  /** The PXELINUX label concerned, if any. */
  readonly label?: string;
}

/** How one PXELINUX menu item became an iPXE menu item. */
export interface ItemMapping {
  /** PXELINUX menu tag (`.top` for the root). */
  readonly menu: string;
  /** iPXE menu name (`--name`). */
  readonly ipxeMenu: string;
  readonly kind: "label" | "separator" | "disabled" | "submenu";
  /** PXELINUX label (label entries). */
  readonly label: string | undefined;
  /** iPXE item name (the `:label` it leads to); undefined for gaps. */
  readonly item: string | undefined;
  /** Item text (display name without `^`). */
  readonly text: string;
}

/** Result of {@link toIpxe}. */
export interface ToIpxeResult {
  /** The iPXE script. */
  readonly script: string;
  /** The statements it was built from. */
  readonly body: readonly StatementSpec[];
  /** Menu item by menu item correspondence, in script order. */
  readonly items: readonly ItemMapping[];
  /** iPXE label of every PXELINUX label entry (hidden ones included). */
  readonly labels: ReadonlyMap<LabelEntry, string>;
  readonly notes: readonly ConversionNote[];
}

function sanitize(s: string): string {
  const t = s.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[-_]+/, "");
  return t === "" ? "entry" : t;
}

/** The URL a resolved PXELINUX path is fetched from, `baseUrl` standing for the TFTP root. */
export function pathToUrl(p: ResolvedPath, baseUrl: string): string {
  if (p.kind === "url") return p.url;
  if (p.server !== undefined) return `tftp://${p.server}/${p.path.replace(/^\/+/, "")}`;
  const base = baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`;
  return base + p.path.replace(/^\/+/, "");
}

/** Text of a PXELINUX display name in an iPXE menu: `^` hotkey markers removed. */
export function itemText(displayName: string): string {
  return displayName.replace(/\^/g, "");
}

/** IPAPPEND bits iPXE can reproduce with its own settings. */
const ref = (name: string): string => `$\{${name}}`;
const IPAPPEND_ARGS: readonly [number, string][] = [
  [1, `ip=${ref("ip")}:${ref("next-server")}:${ref("gateway")}:${ref("netmask")}`],
  [2, `BOOTIF=01-${ref("mac:hexhyp")}`],
  [4, `SYSUUID=${ref("uuid")}`],
];

/**
 * Converts a model to an iPXE script. Entries that have no iPXE equivalent (most COM32
 * modules, CONFIG, floppy images) become sections that say so and return to their menu; each
 * such loss is listed in `notes`. Throws only if the builder refuses a statement
 * (`IpxeScriptError`), which the names chosen here avoid.
 */
export function toIpxe(model: PxelinuxModel, opts: ToIpxeOptions): ToIpxeResult {
  const setting = opts.setting ?? "selected";
  const notes: ConversionNote[] = [];
  const used = new Set<string>();
  const unique = (base: string): string => {
    let n = base;
    for (let i = 2; used.has(n); i++) n = `${base}-${i}`;
    used.add(n);
    return n;
  };
  const menuNames = new Map<MenuModel, string>();
  const menus = model.menus.filter((m) => m !== model.hidden);
  for (const m of menus)
    menuNames.set(m, unique(m === model.root ? "menu-top" : `menu-${sanitize(m.tag)}`));
  const labels = new Map<LabelEntry, string>();
  for (const e of model.labels) labels.set(e, unique(`pl-${sanitize(e.label)}`));
  const menuOf = (m: MenuModel | undefined): string => (m && menuNames.get(m)) ?? "menu-top";

  const body: StatementSpec[] = [];
  const items: ItemMapping[] = [];
  body.push({
    type: "comment",
    text: `converted from PXELINUX by @pxe/pxelinux-cfg (${model.reader} reader)`,
  });
  if (model.say.length > 0)
    for (const s of model.say) body.push({ type: "command", name: "echo", args: splitArgs(s) });

  // The core reader boots DEFAULT at once when PROMPT is 0 and no menu UI runs.
  if (model.reader === "core" && model.prompt === 0 && model.defaultEntry) {
    const target = labels.get(model.defaultEntry);
    if (target) body.push({ type: "command", name: "goto", args: [target] });
  }

  for (const m of menus) {
    const name = menuOf(m);
    const its: (MenuItemSpec | MenuGapSpec)[] = [];
    let def: string | undefined;
    for (let i = 0; i < m.items.length; i++) {
      const it = m.items[i];
      if (!it) continue;
      if (it.kind === "separator") {
        its.push({ type: "gap" });
        items.push({
          menu: m.tag,
          ipxeMenu: name,
          kind: "separator",
          label: undefined,
          item: undefined,
          text: "",
        });
        continue;
      }
      const text = itemText(it.displayName);
      if (it.kind === "submenu") {
        const target = menuOf(it.menu);
        its.push(item(target, text, it.hotkey, it.isDefault));
        if (it.isDefault) def = target;
        if (it.passwd)
          notes.push({
            severity: "warning",
            message: `submenu "${text}": MENU PASSWD is not converted`,
          });
        items.push({
          menu: m.tag,
          ipxeMenu: name,
          kind: "submenu",
          label: undefined,
          item: target,
          text,
        });
        continue;
      }
      if (it.action === "disabled") {
        its.push(text === "" ? { type: "gap" } : { type: "gap", text });
        items.push({
          menu: m.tag,
          ipxeMenu: name,
          kind: "disabled",
          label: it.label,
          item: undefined,
          text,
        });
        continue;
      }
      const target = labels.get(it) as string;
      its.push(item(target, text, it.hotkey, it.isDefault));
      if (it.isDefault) def = target;
      if (it.passwd)
        notes.push({
          severity: "warning",
          message: "MENU PASSWD is not converted",
          label: it.label,
        });
      items.push({
        menu: m.tag,
        ipxeMenu: name,
        kind: "label",
        label: it.label,
        item: target,
        text,
      });
    }
    // ONTIMEOUT naming an entry of this menu: that is what a timeout boots.
    if (m.onTimeout !== undefined) {
      const e = model.labels.find((x) => x.label === firstWord(m.onTimeout ?? ""));
      const t = e && labels.get(e);
      if (t && its.some((x) => x.type === "item" && x.name === t)) {
        if (def !== undefined && def !== t) {
          notes.push({
            severity: "info",
            message: `menu ${m.tag}: ONTIMEOUT ${e.label} differs from the highlighted default; iPXE boots ONTIMEOUT's entry on timeout and highlights it`,
          });
        }
        def = t;
      }
    }
    body.push({ type: "blank" }, { type: "label", name });
    const timeout = m.timeout !== undefined && m.timeout > 0 ? m.timeout * 100 : undefined;
    const cancel: CommandSpec =
      m.parent !== undefined
        ? { type: "command", name: "goto", args: [menuOf(m.parent)] }
        : { type: "command", name: "shell" };
    body.push({
      type: "menu",
      name,
      ...(m.title !== "" ? { title: itemText(m.title) } : {}),
      items: its,
      setting,
      ...(def !== undefined ? { default: def } : {}),
      ...(timeout !== undefined ? { timeout } : {}),
      onCancel: cancel,
      dispatch: true,
    });
    if (m.masterPassword)
      notes.push({
        severity: "warning",
        message: `menu ${m.tag}: MENU MASTER PASSWD is not converted`,
      });
  }

  const home = new Map<LabelEntry, MenuModel>();
  for (const m of model.menus) for (const it of m.items) if (it.kind === "label") home.set(it, m);
  for (const e of model.labels) {
    const lbl = labels.get(e) as string;
    const back = menuOf(e.hidden ? model.root : (home.get(e) ?? model.root));
    body.push({ type: "blank" }, { type: "label", name: lbl });
    body.push(...entryBody(e, back, opts.baseUrl, notes, menuOf, model));
  }
  const helps = model.labels.filter((e) => e.help !== undefined).length;
  if (helps > 0)
    notes.push({
      severity: "info",
      message: `TEXT HELP of ${helps} entries is not shown by iPXE menus`,
    });
  const script = buildScript({ body });
  return { script, body, items, labels, notes };
}

function item(
  name: string,
  text: string,
  hotkey: string | undefined,
  isDefault: boolean,
): MenuItemSpec {
  return {
    type: "item",
    name,
    ...(text !== "" ? { text } : {}),
    ...(hotkey !== undefined && /^[A-Za-z0-9]$/.test(hotkey) ? { key: hotkey.toLowerCase() } : {}),
    ...(isDefault ? { default: true as const } : {}),
  };
}

function unsupported(
  e: LabelEntry,
  why: string,
  back: string,
  notes: ConversionNote[],
): StatementSpec[] {
  notes.push({ severity: "warning", message: why, label: e.label });
  return [
    { type: "comment", text: `PXELINUX: ${e.commandLine ?? e.label}` },
    { type: "command", name: "echo", args: splitArgs(`${why} (PXELINUX entry ${e.label})`) },
    {
      type: "command",
      name: "prompt",
      args: splitArgs("Press any key to return to the menu"),
      onFailure: "ignore",
    },
    { type: "command", name: "goto", args: [back] },
  ];
}

function entryBody(
  e: LabelEntry,
  back: string,
  baseUrl: string,
  notes: ConversionNote[],
  menuOf: (m: MenuModel | undefined) => string,
  model: PxelinuxModel,
): StatementSpec[] {
  switch (e.action) {
    case "goto":
    case "exit":
      return [{ type: "command", name: "goto", args: [menuOf(e.targetMenu ?? model.root)] }];
    case "quit":
      return [{ type: "command", name: "shell" }];
    case "disabled":
      return [{ type: "command", name: "goto", args: [back] }];
    case "help":
      return unsupported(
        e,
        `MENU HELP ${e.target ?? ""} (a help screen) has no iPXE equivalent`,
        back,
        notes,
      );
    default:
      break;
  }
  const url = (p: ResolvedPath | undefined) => (p ? pathToUrl(p, baseUrl) : "");
  const literal = (s: string) => {
    if (/\$\{[^}]*\}/.test(s)) {
      notes.push({
        severity: "warning",
        message: `"\${...}" in "${s}" is expanded by iPXE at run time (iPXE has no way to write it literally)`,
        label: e.label,
      });
    }
    return s;
  };
  switch (e.imageType) {
    case "linux": {
      const args: string[] = [url(e.kernelPath)];
      const rest = `${e.kernelArgs} ${e.appendRest}`.split(/[ \t]+/).filter((w) => w !== "");
      for (const w of rest) args.push(literal(w));
      for (const [bit, arg] of IPAPPEND_ARGS) if (e.ipappend & bit) args.push(arg);
      if (e.ipappend & ~7) {
        notes.push({
          severity: "warning",
          message: `SYSAPPEND bits 0x${(e.ipappend & ~7).toString(16)} (DMI strings) are not converted`,
          label: e.label,
        });
      }
      // Each initrd is fetched under a plain name and named on the kernel command line too
      // (`initrd=NAME`): an EFI-stub kernel started by iPXE's EFI build finds its initrds that way,
      // and a BIOS bzImage load ignores the argument (iPXE passes the initrds itself).
      const names = e.initrdPaths.map((_, i) =>
        e.initrdPaths.length === 1 ? "initrd" : `initrd${i}`,
      );
      for (const n of names) args.push(`initrd=${n}`);
      const out: StatementSpec[] = [{ type: "command", name: "kernel", args }];
      e.initrdPaths.forEach((p, i) => {
        out.push({ type: "command", name: "initrd", options: { name: names[i]! }, args: [url(p)] });
      });
      out.push({
        type: "command",
        name: "boot",
        onFailure: { type: "command", name: "goto", args: [back] },
      });
      return out;
    }
    case "pxe":
      return [
        {
          type: "command",
          name: "chain",
          args: [url(e.kernelPath), ...splitArgs(`${e.kernelArgs} ${e.append ?? ""}`)],
        },
        { type: "command", name: "goto", args: [back] },
      ];
    case "localboot":
      return [{ type: "command", name: "exit" }];
    case "com32": {
      const mod = (e.kernel.split("/").pop() ?? "").toLowerCase();
      const args = splitArgs(`${e.kernelArgs} ${e.append ?? ""}`);
      if (mod === "reboot.c32") return [{ type: "command", name: "reboot" }];
      if (mod === "poweroff.c32") return [{ type: "command", name: "poweroff" }];
      if (
        mod === "chain.c32" &&
        /^hd\d+$/.test(args[0] ?? "") &&
        (args.length === 1 || args[1] === "0")
      ) {
        const drive = 0x80 + Number((args[0] as string).slice(2));
        return [
          { type: "command", name: "sanboot", options: { "no-describe": true, drive } },
          { type: "command", name: "goto", args: [back] },
        ];
      }
      if (mod === "menu.c32" || mod === "vesamenu.c32") {
        return unsupported(
          e,
          `${e.kernel} with another config (${args.join(" ")}) has no iPXE equivalent; convert that config too`,
          back,
          notes,
        );
      }
      return unsupported(e, `COM32 module ${e.kernel} cannot run under iPXE`, back, notes);
    }
    case "config":
      return unsupported(
        e,
        `CONFIG ${e.kernel} (load another PXELINUX config) has no iPXE equivalent; convert that config too`,
        back,
        notes,
      );
    default:
      return unsupported(e, `${e.imageType} image ${e.kernel} is not converted`, back, notes);
  }
}

function splitArgs(s: string): string[] {
  return s.split(/[ \t]+/).filter((w) => w !== "");
}
