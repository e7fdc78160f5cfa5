/**
 * The built-in command table of current iPXE (HEAD, 2026): every `COMMAND()` registration with its
 * option descriptors and argument counts, as `parseopt.c` checks them. Facts were read from iPXE's
 * `src/hci/commands/*.c`, `src/core/exec.c`, `src/image/script.c` and `src/hci/shell.c`.
 *
 * `since` records when a command or option appeared after v1.21.1 (Dec 2020), so that
 * firmware such as Debian's `ipxe` 1.0.0+git-20190125 rejects it.
 *
 * @module
 */

/** What an option takes. `int` and `timeout` (milliseconds) are parsed with `strtoul(…, 0)`. */
export type OptionArg = "none" | "string" | "int" | "timeout" | "key";

/** One option descriptor (`OPTION_DESC`). */
export interface OptionInfo {
  /** Long name without dashes, e.g. `timeout`. */
  readonly long: string;
  /** Short letter, e.g. `t`, when the option has one. */
  readonly short: string | undefined;
  readonly arg: OptionArg;
  /** Year the option appeared, when after v1.21.1. */
  readonly since: string | undefined;
}

/** One built-in command (`COMMAND()` + `COMMAND_DESC`). */
export interface CommandInfo {
  readonly name: string;
  readonly options: readonly OptionInfo[];
  readonly minArgs: number;
  /** `Infinity` when unbounded. */
  readonly maxArgs: number;
  /** Usage text as iPXE prints it. */
  readonly usage: string;
  /** Year the command appeared, when after v1.21.1. */
  readonly since: string | undefined;
  /** False for `help`, which does no option parsing at all. */
  readonly parsesOptions: boolean;
}

const INF = Number.POSITIVE_INFINITY;

/** Compact option spec: `"t:timeout=timeout"`, `"a:autofree"`, `"-:n"` (no short), suffix `@2024`. */
function opts(spec: string): OptionInfo[] {
  if (!spec) return [];
  return spec.split(" ").map((s) => {
    let since: string | undefined;
    let body = s;
    const at = s.indexOf("@");
    if (at >= 0) {
      since = s.slice(at + 1);
      body = s.slice(0, at);
    }
    const [shortPart, rest] = body.split(":") as [string, string];
    const [long, arg] = rest.split("=") as [string, string | undefined];
    return {
      long,
      short: shortPart === "-" ? undefined : shortPart,
      arg: (arg ?? "none") as OptionArg,
      since,
    };
  });
}

const IMAGE_OPTS = "n:name=string t:timeout=timeout q:quiet@2026 a:autofree";
const EXEC_OPTS = `${IMAGE_OPTS} r:replace`;
const DIGEST_OPTS = "s:set=string@2025";

// name, options, min, max, usage, since
const TABLE: ReadonlyArray<readonly [string, string, number, number, string, string?]> = [
  ["autoboot", "", 0, INF, "[<interface>...]"],
  ["boot", EXEC_OPTS, 0, INF, "[<uri|image> [<arguments>...]]"],
  ["certfree", "s:subject=string", 0, 0, ""],
  ["certstat", "s:subject=string", 0, 0, ""],
  ["certstore", "s:subject=string k:keep", 0, 1, "[<uri|image>]"],
  ["chain", EXEC_OPTS, 0, INF, "[<uri|image> [<arguments>...]]"],
  [
    "choose",
    "m:menu=string d:default=string t:timeout=timeout r:retimeout=timeout@2025 k:keep",
    1,
    1,
    "<setting>",
  ],
  ["clear", "", 1, 1, "<setting>"],
  ["colour", "b:basic=int r:rgb=int", 1, 1, "<colour>"],
  ["config", "", 0, 1, "[<scope>]"],
  [
    "console",
    "x:x=int y:y=int l:left=int r:right=int t:top=int b:bottom=int d:depth=int p:picture=string k:keep",
    0,
    0,
    "",
  ],
  ["cpair", "f:foreground=int b:background=int", 1, 1, "<cpair>"],
  ["cpuid", "e:ext a:amd c:ecx", 1, 1, "<bit>"],
  ["dhcp", "c:configurator=string t:timeout=timeout", 0, INF, "[<interface>...]"],
  ["echo", "n:n", 0, INF, "[...]"],
  ["exit", "", 0, 1, "[<status>]"],
  ["fcels", "p:port=string i:id=string", 1, 1, "<request>"],
  ["fcstat", "", 0, 0, ""],
  ["fdt", "t:timeout=timeout q:quiet", 0, 1, "[<uri>]", "2025"],
  ["form", "n:name=string d:delete", 0, INF, "[<title>]", "2024"],
  ["gdbstub", "", 1, INF, "<transport> [<options>...]"],
  ["goto", "", 1, 1, "<label>"],
  ["help", "", 0, INF, ""],
  ["ibstat", "", 0, 0, ""],
  ["ifclose", "", 0, INF, "[<interface>...]"],
  ["ifconf", "c:configurator=string t:timeout=timeout", 0, INF, "[<interface>...]"],
  ["iflinkwait", "t:timeout=timeout", 0, INF, "[<interface>...]", "2021"],
  ["ifopen", "", 0, INF, "[<interface>...]"],
  ["ifstat", "", 0, INF, "[<interface>...]"],
  ["imgargs", IMAGE_OPTS, 1, INF, "<uri|image> [<arguments>...]"],
  [
    "imgdecrypt",
    "n:name=string k:keep t:timeout=timeout q:quiet",
    2,
    2,
    "<uri|image> <envelope uri|image>",
  ],
  ["imgexec", EXEC_OPTS, 0, INF, "[<uri|image> [<arguments>...]]"],
  ["imgextract", "n:name=string k:keep t:timeout=timeout q:quiet", 1, 1, "<uri|image>", "2021"],
  ["imgfetch", IMAGE_OPTS, 1, INF, "<uri> [<arguments>...]"],
  ["imgfree", "", 0, INF, "[<image>...]"],
  ["imgload", IMAGE_OPTS, 1, INF, "<uri|image> [<arguments>...]"],
  ["imgmem", "n:name=string", 2, 2, "<address> <length>", "2021"],
  ["imgselect", IMAGE_OPTS, 1, INF, "<uri|image> [<arguments>...]"],
  ["imgset", "k:keep t:timeout=timeout q:quiet", 2, 2, "<setting> <uri|image>", "2026"],
  ["imgstat", "", 0, INF, "[<image>...]"],
  ["imgtrust", "a:allow p:permanent", 0, 0, ""],
  [
    "imgverify",
    "s:signer=string k:keep t:timeout=timeout q:quiet",
    2,
    2,
    "<uri|image> <signature uri|image>",
  ],
  ["inc", "", 1, 2, "<setting> [<increment>]"],
  ["initrd", IMAGE_OPTS, 1, INF, "<uri> [<arguments>...]"],
  ["ipstat", "", 0, 0, ""],
  ["iseq", "", 2, 2, "<value1> <value2>"],
  ["isset", "", 1, 1, "<value>"],
  [
    "item",
    "m:menu=string f:form=string@2024 k:key=key d:default s:secret@2024 g:gap",
    0,
    INF,
    "[<name> [<text>]]",
  ],
  ["iwlist", "", 0, INF, "[<interface>...]"],
  ["iwstat", "", 0, INF, "[<interface>...]"],
  ["kernel", IMAGE_OPTS, 1, INF, "<uri|image> [<arguments>...]"],
  ["login", "", 0, 0, ""],
  ["lotest", "m:mtu=int b:broadcast", 2, 2, "<sending interface> <receiving interface>"],
  ["md4sum", DIGEST_OPTS, 1, INF, "<image> [<image>...]"],
  ["md5sum", DIGEST_OPTS, 1, INF, "<image> [<image>...]"],
  ["menu", "n:name=string d:delete", 0, INF, "[<title>]"],
  ["module", IMAGE_OPTS, 1, INF, "<uri> [<arguments>...]"],
  ["nslookup", "", 2, 2, "<setting> <name>"],
  ["nstat", "", 0, 0, ""],
  ["ntp", "", 1, 1, "<server>"],
  ["param", "p:params=string H:header@2023", 1, INF, "<key> [<value>]"],
  ["params", "n:name=string m:method=string@2026 d:delete", 0, 0, ""],
  ["pciscan", "", 1, 1, "<setting>"],
  ["ping", "s:size=int t:timeout=timeout c:count=int q:quiet", 1, 1, "<host>"],
  ["poweroff", "", 0, 0, ""],
  ["present", "f:form=string k:keep", 0, 0, "", "2024"],
  ["profstat", "", 0, 0, ""],
  ["prompt", "k:key=key t:timeout=timeout", 0, INF, "[<text>]"],
  ["pxebs", "", 2, 2, "<interface> <server type>"],
  ["read", "t:timeout=timeout", 1, 1, "<setting>"],
  ["reboot", "w:warm s:setup", 0, 0, ""],
  ["route", "", 0, 0, ""],
  [
    "sanboot",
    "d:drive=int n:no-describe k:keep f:filename=string e:extra=string l:label=string u:uuid=string",
    0,
    INF,
    "[<root-path>]",
  ],
  ["sanhook", "d:drive=int n:no-describe", 1, INF, "<root-path>"],
  ["sanunhook", "d:drive=int", 0, 0, ""],
  ["set", "", 1, INF, "<setting> <value>"],
  ["sha1sum", DIGEST_OPTS, 1, INF, "<image> [<image>...]"],
  ["sha224sum", "s:set=string", 1, INF, "<image> [<image>...]", "2025"],
  ["sha256sum", "s:set=string", 1, INF, "<image> [<image>...]", "2025"],
  ["sha384sum", "s:set=string", 1, INF, "<image> [<image>...]", "2025"],
  ["sha512sum", "s:set=string", 1, INF, "<image> [<image>...]", "2025"],
  ["shell", "", 0, 0, ""],
  [
    "shim",
    "t:timeout=timeout q:quiet l:require-loader p:allow-pxe s:allow-sbat",
    0,
    1,
    "[<uri|image>]",
    "2023",
  ],
  ["show", "q:quiet@2026", 1, 1, "<setting>"],
  ["sleep", "", 1, 1, "<seconds>"],
  ["startpxe", "", 0, INF, "[<interface>]"],
  ["stoppxe", "", 0, 0, ""],
  ["sync", "t:timeout=timeout", 0, 0, ""],
  ["time", "", 1, INF, "<command>"],
  ["usbscan", "", 1, 1, "<setting>", "2024"],
  ["vcreate", "t:tag=int p:priority=int", 1, 1, "<trunk interface>"],
  ["vdestroy", "", 1, 1, "<VLAN interface>"],
];

/** Every built-in command of current iPXE, by name. */
export const COMMANDS: ReadonlyMap<string, CommandInfo> = new Map(
  TABLE.map(([name, o, min, max, usage, since]) => [
    name,
    {
      name,
      options: opts(o),
      minArgs: min,
      maxArgs: max,
      usage,
      since,
      parsesOptions: name !== "help",
    },
  ]),
);

/** Looks a built-in command up by name. */
export function commandInfo(name: string): CommandInfo | undefined {
  return COMMANDS.get(name);
}

/** Commands whose first positional argument is an image URI (or an image name). */
export const IMAGE_COMMANDS: ReadonlySet<string> = new Set([
  "boot",
  "chain",
  "imgexec",
  "imgargs",
  "imgfetch",
  "initrd",
  "module",
  "imgload",
  "imgselect",
  "kernel",
  "imgextract",
  "imgdecrypt",
  "imgverify",
  "certstore",
  "fdt",
  "shim",
]);

/** Commands that always download (never look an image name up first). */
export const DOWNLOAD_COMMANDS: ReadonlySet<string> = new Set(["imgfetch", "initrd", "module"]);

/**
 * Predefined settings that firmware provides (DHCP, SMBIOS, builtins); reading them before a write
 * is normal.
 */
export const PREDEFINED_SETTINGS: ReadonlySet<string> = new Set(
  (
    "mac ip netmask gateway dns dns6 domain hostname next-server filename root-path uuid user-class " +
    "manufacturer product serial asset board-serial buildarch platform version unixtime uptime cwuri cwduri " +
    "errno memsize scriptlet busid busloc bustype chip ifname username password reverse-username " +
    "reverse-password initiator-iqn keymap syslog syslogs ntp priority vendor-class client-id " +
    "client-uuid client-arch bios-drive skip-san-boot keep-san keep-san-nb san-filename " +
    "root-path ip6 len6 gateway6 dhcp-server pxebs-server proxydhcp-server next-server " +
    "ssid sync-timeout language key-store cert privkey crosscert trust machine-id lldp-chassis " +
    "lldp-port lldp-name domain-search dnssl hostname-ipv6 mtu netX net0 link-up linktype " +
    "ssh-key"
  )
    .split(" ")
    .filter(Boolean),
);
