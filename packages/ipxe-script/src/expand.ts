/**
 * Evaluator of `${…}` expansions, following iPXE's `expand_settings()` (`src/core/settings.c`):
 * find the last `${` before the first `}`, replace it with the formatted setting (or nothing),
 * rescan from the start, until nothing changes. Settings are typed raw bytes as in iPXE, so
 * `set space:hex 20:20` then `${space:string}` gives two spaces.
 *
 * @module
 */
import { IpxeScriptError } from "./errors.js";
import { parseIpxeInteger } from "./getopt.js";
import { decodeUtf8, encodeUtf8 } from "./utf8.js";

/** iPXE setting types (`find_setting_type()`). */
export const SETTING_TYPES = [
  "string",
  "uristring",
  "ipv4",
  "ipv6",
  "int8",
  "int16",
  "int32",
  "uint8",
  "uint16",
  "uint32",
  "hex",
  "hexhyp",
  "hexraw",
  "base64",
  "uuid",
  "guid",
  "busdevfn",
  "dnssl",
] as const;

/** One iPXE setting type name. */
export type SettingType = (typeof SETTING_TYPES)[number];

/** A stored setting: raw bytes plus the type it was stored with. */
export interface SettingValue {
  readonly type: SettingType;
  readonly raw: Uint8Array;
}

/** Facts about the booting client that iPXE exposes as predefined settings. */
export interface ClientFacts {
  /** `52:54:00:12:34:56` (stored as `hex`). */
  readonly mac?: string;
  readonly ip?: string;
  readonly netmask?: string;
  readonly gateway?: string;
  readonly dns?: string;
  readonly "next-server"?: string;
  readonly hostname?: string;
  readonly domain?: string;
  readonly filename?: string;
  readonly "root-path"?: string;
  /** `8-4-4-4-12` hex (stored as `uuid`). */
  readonly uuid?: string;
  /** `pcbios` or `efi`. */
  readonly platform?: string;
  /** `i386`, `x86_64`, `arm64`, ... */
  readonly buildarch?: string;
  readonly version?: string;
  readonly manufacturer?: string;
  readonly product?: string;
  readonly serial?: string;
  readonly asset?: string;
  readonly "user-class"?: string;
  /** Raw DHCP options by tag (encapsulated: `(175 << 8) | 3`), read by `${210}` / `${175.3}`. */
  readonly dhcp?: Readonly<Record<number, Uint8Array>>;
}

const PREDEFINED_TYPES: Record<string, SettingType> = {
  mac: "hex",
  ip: "ipv4",
  netmask: "ipv4",
  gateway: "ipv4",
  dns: "ipv4",
  "next-server": "ipv4",
  uuid: "uuid",
  unixtime: "uint32",
  errno: "uint32",
  memsize: "int32",
  busid: "hex",
};

const utf8 = { encode: encodeUtf8 };
const utf8d = { decode: (b: Uint8Array): string => decodeUtf8(b) as string };

function hexByte(b: number): string {
  return b.toString(16).padStart(2, "0");
}

function bigFromBytes(raw: Uint8Array, signed: boolean): bigint {
  let v = 0n;
  for (const b of raw) v = (v << 8n) | BigInt(b);
  if (signed && raw.length > 0 && ((raw[0] as number) & 0x80) !== 0)
    v -= 1n << BigInt(raw.length * 8);
  return v;
}

function formatIpv6(raw: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((raw[i] ?? 0) << 8) | (raw[i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return words.map((w) => w.toString(16)).join(":");
  const head = words
    .slice(0, bestStart)
    .map((w) => w.toString(16))
    .join(":");
  const tail = words
    .slice(bestStart + bestLen)
    .map((w) => w.toString(16))
    .join(":");
  return `${head}::${tail}`;
}

function uuidString(b: Uint8Array): string {
  const h = [...b].map(hexByte).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function base64(raw: Uint8Array): string {
  const A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let out = "";
  for (let i = 0; i < raw.length; i += 3) {
    const a = raw[i] as number;
    const b = raw[i + 1];
    const c = raw[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += A[(n >> 18) & 63] as string;
    out += A[(n >> 12) & 63] as string;
    out += b === undefined ? "=" : (A[(n >> 6) & 63] as string);
    out += c === undefined ? "=" : (A[n & 63] as string);
  }
  return out;
}

function dnsNames(raw: Uint8Array): string[] {
  const names: string[] = [];
  let i = 0;
  while (i < raw.length) {
    const labels: string[] = [];
    let p = i;
    let jumped = false;
    let guard = 0;
    for (;;) {
      if (p >= raw.length || guard++ > 255) return names;
      const len = raw[p] as number;
      if (len === 0) {
        if (!jumped) i = p + 1;
        break;
      }
      if ((len & 0xc0) === 0xc0) {
        const target = ((len & 0x3f) << 8) | (raw[p + 1] ?? 0);
        if (!jumped) i = p + 2;
        jumped = true;
        p = target;
        continue;
      }
      labels.push(utf8d.decode(raw.subarray(p + 1, p + 1 + len)));
      p += 1 + len;
    }
    names.push(labels.join("."));
  }
  return names;
}

/** Formats raw setting bytes as iPXE's `format_*_setting()` for `type` would. */
export function formatSetting(type: SettingType, raw: Uint8Array): string {
  switch (type) {
    case "string": {
      const nul = raw.indexOf(0);
      return utf8d.decode(nul >= 0 ? raw.subarray(0, nul) : raw);
    }
    case "uristring": {
      // uri_encode(URI_FRAGMENT): escape non-printing, space, '%' and "/#:@?" as %XX. iPXE
      // passes a (signed) char to "%02X", so bytes >= 0x80 come out as %FFFFFFxx.
      let out = "";
      for (const b of raw) {
        if (b === 0) break;
        const ch = String.fromCharCode(b);
        if (b < 0x21 || b >= 0x7f || "%/#:@?".includes(ch)) {
          out +=
            b >= 0x80
              ? `%FFFFFF${b.toString(16).toUpperCase()}`
              : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
        } else out += ch;
      }
      return out;
    }
    case "ipv4":
      return raw.length >= 4 ? `${raw[0]}.${raw[1]}.${raw[2]}.${raw[3]}` : "";
    case "ipv6":
      return raw.length >= 16 ? formatIpv6(raw) : "";
    case "int8":
    case "int16":
    case "int32":
      return raw.length ? bigFromBytes(raw, true).toString(10) : "";
    case "uint8":
    case "uint16":
    case "uint32":
      return raw.length ? `0x${bigFromBytes(raw, false).toString(16)}` : "";
    case "hex":
      return [...raw].map(hexByte).join(":");
    case "hexhyp":
      return [...raw].map(hexByte).join("-");
    case "hexraw":
      return [...raw].map(hexByte).join("");
    case "base64":
      return base64(raw);
    case "uuid":
      return raw.length === 16 ? uuidString(raw) : "";
    case "guid": {
      if (raw.length !== 16) return "";
      const b = Uint8Array.from(raw);
      b.set([raw[3] as number, raw[2] as number, raw[1] as number, raw[0] as number], 0);
      b.set([raw[5] as number, raw[4] as number, raw[7] as number, raw[6] as number], 4);
      return uuidString(b);
    }
    case "busdevfn": {
      const v = Number(bigFromBytes(raw, false) & 0xffffffffn);
      const seg = (v >>> 16) & 0xffff;
      const bus = (v >>> 8) & 0xff;
      const slot = (v >>> 3) & 0x1f;
      const fn = v & 7;
      return `${seg.toString(16).padStart(4, "0")}:${bus.toString(16).padStart(2, "0")}:${slot.toString(16).padStart(2, "0")}.${fn.toString(16)}`;
    }
    case "dnssl":
      return dnsNames(raw).join(" ");
  }
}

function parseHex(value: string, sep: string): Uint8Array | undefined {
  if (value === "") return new Uint8Array(0);
  const parts = sep ? value.split(sep) : (value.match(/.{1,2}/g) ?? []);
  const out = new Uint8Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    if (!/^[0-9a-fA-F]{2}$/.test(p)) return undefined;
    out[i] = Number.parseInt(p, 16);
  }
  return out;
}

function parseIpv4(value: string): Uint8Array | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value);
  if (!m) return undefined;
  const b = m.slice(1).map(Number);
  if (b.some((x) => x > 255)) return undefined;
  return Uint8Array.from(b);
}

function parseIpv6(value: string): Uint8Array | undefined {
  const halves = value.split("::");
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] | undefined => {
    if (s === "") return [];
    const ws = s.split(":");
    const out: number[] = [];
    for (const w of ws) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return undefined;
      out.push(Number.parseInt(w, 16));
    }
    return out;
  };
  const head = parse(halves[0] as string);
  const tail = halves.length === 2 ? parse(halves[1] as string) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return undefined;
  const words = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

function parseUuid(value: string, guid: boolean): Uint8Array | undefined {
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(value))
    return undefined;
  const b = parseHex(value.replace(/-/g, ""), "") as Uint8Array;
  if (!guid) return b;
  const o = Uint8Array.from(b);
  o.set(
    [
      b[3] as number,
      b[2] as number,
      b[1] as number,
      b[0] as number,
      b[5] as number,
      b[4] as number,
      b[7] as number,
      b[6] as number,
    ],
    0,
  );
  return o;
}

function parseBase64(value: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return undefined;
  const A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const clean = value.replace(/=+$/, "");
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const ch of clean) {
    acc = (acc << 6) | A.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

/**
 * Parses a textual value for a setting of `type`, as `set name:type value` does.
 * Returns undefined when iPXE would reject the value.
 */
export function parseSettingValue(type: SettingType, value: string): Uint8Array | undefined {
  switch (type) {
    case "string":
      return utf8.encode(value);
    case "uristring": {
      const bytes: number[] = [];
      const enc = utf8.encode(value);
      for (let i = 0; i < enc.length; i++) {
        const b = enc[i] as number;
        if (b === 37 /* % */) {
          const m = /^[0-9a-fA-F]{1,2}/.exec(String.fromCharCode(enc[i + 1] ?? 0, enc[i + 2] ?? 0));
          if (m) {
            bytes.push(Number.parseInt(m[0], 16));
            i += m[0].length;
            continue;
          }
        }
        bytes.push(b);
      }
      return Uint8Array.from(bytes);
    }
    case "ipv4":
      return parseIpv4(value);
    case "ipv6":
      return parseIpv6(value);
    case "int8":
    case "uint8":
    case "int16":
    case "uint16":
    case "int32":
    case "uint32": {
      const width = type.endsWith("8") ? 1 : type.endsWith("16") ? 2 : 4;
      const neg = value.startsWith("-");
      const n = parseIpxeInteger(neg ? value.slice(1) : value);
      if (n === undefined) return undefined;
      let v = BigInt(n);
      if (neg) v = -v;
      const mod = 1n << BigInt(width * 8);
      v = ((v % mod) + mod) % mod;
      const out = new Uint8Array(width);
      for (let i = width - 1; i >= 0; i--) {
        out[i] = Number(v & 0xffn);
        v >>= 8n;
      }
      return out;
    }
    case "hex":
      return parseHex(value, ":");
    case "hexhyp":
      return parseHex(value, "-");
    case "hexraw":
      return value.length % 2 ? undefined : parseHex(value, "");
    case "base64":
      return parseBase64(value);
    case "uuid":
      return parseUuid(value, false);
    case "guid":
      return parseUuid(value, true);
    case "busdevfn":
    case "dnssl":
      return undefined;
  }
}

function isSettingType(t: string): t is SettingType {
  return (SETTING_TYPES as readonly string[]).includes(t);
}

/** `175.3` → `(175 << 8) | 3`; `210`; `0xd2`. Undefined when not a numeric tag. */
export function parseSettingTag(name: string): number | undefined {
  if (!/^[0-9]/.test(name)) return undefined;
  let tag = 0;
  for (const part of name.split(".")) {
    const n = parseIpxeInteger(part);
    if (n === undefined) return undefined;
    tag = tag * 256 + n;
  }
  return tag;
}

/**
 * A settings store as a booting client would see it: predefined facts plus script-set values.
 */
export class SettingsStore {
  private readonly values = new Map<string, SettingValue>();
  private readonly dhcp: Readonly<Record<number, Uint8Array>>;

  constructor(facts: ClientFacts = {}, settings: Readonly<Record<string, string>> = {}) {
    this.dhcp = facts.dhcp ?? {};
    for (const [k, v] of Object.entries(facts)) {
      if (k === "dhcp" || typeof v !== "string") continue;
      const type = PREDEFINED_TYPES[k] ?? "string";
      const raw = parseSettingValue(type, v);
      if (raw === undefined)
        throw new IpxeScriptError(
          "bad-value",
          `fact ${k}=${JSON.stringify(v)} is not a valid ${type}`,
        );
      this.values.set(k, { type, raw });
    }
    for (const [k, v] of Object.entries(settings)) this.set(k, v);
  }

  /**
   * Stores `value` as `set name[:type] value` would; an empty value deletes the setting.
   * @throws {@link IpxeScriptError} when the value is invalid for the type.
   */
  set(nameWithType: string, value: string): void {
    const { key, type } = splitName(nameWithType);
    if (value === "") {
      this.values.delete(key);
      return;
    }
    const t = type ?? this.values.get(key)?.type ?? PREDEFINED_TYPES[key] ?? "string";
    if (!isSettingType(t)) throw new IpxeScriptError("bad-value", `unknown setting type "${t}"`);
    const raw = parseSettingValue(t, value);
    if (raw === undefined)
      throw new IpxeScriptError("bad-value", `${JSON.stringify(value)} is not a valid ${t}`);
    this.values.set(key, { type: t, raw });
  }

  /** Deletes a setting (`clear name`). */
  delete(name: string): void {
    this.values.delete(splitName(name).key);
  }

  /** The stored value (with scope fallback: `net0/mac` falls back to `mac`). */
  get(name: string): SettingValue | undefined {
    const { key } = splitName(name);
    const v = this.values.get(key);
    if (v) return v;
    const slash = key.indexOf("/");
    const bare = slash >= 0 ? key.slice(slash + 1) : key;
    const u = this.values.get(bare);
    if (u) return u;
    const tag = parseSettingTag(bare);
    if (tag !== undefined) {
      const raw = this.dhcp[tag];
      if (raw) return { type: "string", raw };
    }
    return undefined;
  }

  /** What `${inner}` expands to: the formatted value, or `""` when unset or invalid. */
  fetch(inner: string): string {
    const { type } = splitName(inner);
    if (type !== undefined && !isSettingType(type)) return "";
    const v = this.get(inner);
    if (!v) return "";
    return formatSetting((type as SettingType | undefined) ?? v.type, v.raw);
  }
}

function splitName(name: string): { key: string; type: string | undefined } {
  const slash = name.indexOf("/");
  const colon = name.indexOf(":", slash + 1);
  if (colon < 0) return { key: name, type: undefined };
  return { key: name.slice(0, colon), type: name.slice(colon + 1) };
}

/** Options of {@link expand}. */
export interface ExpandOptions {
  /** Maximum number of substitutions before giving up (self-referencing settings loop). */
  readonly maxSteps?: number;
  /** Maximum length of the intermediate string. */
  readonly maxLength?: number;
}

/**
 * Expands every `${…}` in `text` exactly as iPXE would. `settings` is a {@link SettingsStore} or a
 * plain map of string settings.
 *
 * @throws {@link IpxeScriptError} `expansion-loop` when expansion does not terminate within the
 * limits (iPXE itself would loop forever on `set a ${a}x`).
 */
export function expand(
  text: string,
  settings: SettingsStore | Readonly<Record<string, string>>,
  options: ExpandOptions = {},
): string {
  const store = settings instanceof SettingsStore ? settings : new SettingsStore({}, settings);
  const maxSteps = options.maxSteps ?? 10_000;
  const maxLength = options.maxLength ?? 1 << 20;
  let s = text;
  for (let step = 0; step <= maxSteps; step++) {
    let open = -1;
    let close = -1;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 36 && s.charCodeAt(i + 1) === 123) {
        open = i;
        i++;
      } else if (c === 125 && open >= 0) {
        close = i;
        break;
      }
    }
    if (close < 0) return s;
    const value = store.fetch(s.slice(open + 2, close));
    s = s.slice(0, open) + value + s.slice(close + 1);
    if (s.length > maxLength) break;
  }
  throw new IpxeScriptError(
    "expansion-loop",
    `expansion of ${JSON.stringify(text.slice(0, 40))} does not terminate`,
  );
}
