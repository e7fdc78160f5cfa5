import type { Cpu } from "./arch.js";
import type { ClientClass } from "./classify.js";

/**
 * Where to send each kind of client. Anything left undefined means "do not answer that kind";
 * {@link chooseBoot} then says why.
 */
export interface BootPolicy {
  /** Boot file for BIOS PXE ROMs (TFTP path). Default `"undionly.kpxe"`. */
  readonly bios?: string;
  /** Boot files for UEFI PXE clients, by CPU (TFTP paths). Default `{ x64: "ipxe.efi" }`. */
  readonly uefi?: Partial<Record<Cpu, string>>;
  /**
   * Boot URLs for UEFI HTTP boot clients, by CPU (`http://...`). Default: none. The reply must also
   * carry option 60 `HTTPClient`, which the reply builders add.
   */
  readonly http?: Partial<Record<Cpu, string>>;
  /**
   * What iPXE gets instead of iPXE again: the script URL (`http://server/boot.ipxe`). This is what
   * breaks the chainload loop. Default: none.
   */
  readonly ipxeScript?: string;
  /** Boot file for U-Boot clients, by CPU. Default: none. */
  readonly uboot?: Partial<Record<Cpu, string>>;
}

/** Built-in defaults: the file names Debian's `ipxe` package ships. */
export const DEFAULT_BOOT_POLICY: BootPolicy = {
  bios: "undionly.kpxe",
  uefi: { x64: "ipxe.efi" },
};

/** What to hand a client. */
export type BootChoice =
  | {
      /** Answer with this boot file. */
      readonly action: "boot";
      /** Boot file: a TFTP path, or a URL for HTTP boot and iPXE scripts. */
      readonly file: string;
      /** How the file is fetched. */
      readonly via: "tftp" | "http" | "ipxe-script";
      /** Option 60 value the reply must carry. */
      readonly vendorClass: "PXEClient" | "HTTPClient";
      /** Which rule chose it (for logs). */
      readonly rule: string;
    }
  | {
      /** Do not answer (not a boot client, or nothing configured for it). */
      readonly action: "ignore";
      /** Why. */
      readonly reason: string;
    };

/**
 * Picks the boot file for a classified client, following the classic chainload recipe:
 * a plain PXE ROM gets iPXE over TFTP (`undionly.kpxe` for BIOS, `ipxe.efi` for x64 UEFI, a
 * user-provided ARM64 EFI build — Debian ships none — for ARM64), a UEFI HTTP boot client gets a
 * URL, and iPXE itself (user class `iPXE`, option 175 or a configured user class) gets its
 * script URL — never iPXE again, which would loop forever.
 */
export function chooseBoot(
  client: ClientClass,
  policy: BootPolicy = DEFAULT_BOOT_POLICY,
): BootChoice {
  if (client.isIpxe) {
    if (policy.ipxeScript === undefined) {
      return {
        action: "ignore",
        reason: "client is iPXE and no ipxeScript is configured (loop guard)",
      };
    }
    return {
      action: "boot",
      file: policy.ipxeScript,
      via: "ipxe-script",
      vendorClass: client.isHttpBoot ? "HTTPClient" : "PXEClient",
      rule: client.ipxeUserClass ? `user-class ${client.ipxeUserClass}` : "option 175",
    };
  }
  if (!client.isPxe) return { action: "ignore", reason: "not a PXE, HTTP boot or iPXE client" };
  const cpu = client.cpu;
  if (cpu === undefined) return { action: "ignore", reason: "no client architecture (option 93)" };
  if (client.isHttpBoot) {
    const url = policy.http?.[cpu];
    return url === undefined
      ? { action: "ignore", reason: `no HTTP boot URL configured for ${cpu}` }
      : { action: "boot", file: url, via: "http", vendorClass: "HTTPClient", rule: `http ${cpu}` };
  }
  switch (client.firmware) {
    case "bios":
      return policy.bios === undefined
        ? { action: "ignore", reason: "no BIOS boot file configured" }
        : {
            action: "boot",
            file: policy.bios,
            via: "tftp",
            vendorClass: "PXEClient",
            rule: "bios",
          };
    case "uefi": {
      const f = policy.uefi?.[cpu];
      return f === undefined
        ? { action: "ignore", reason: `no UEFI boot file configured for ${cpu}` }
        : { action: "boot", file: f, via: "tftp", vendorClass: "PXEClient", rule: `uefi ${cpu}` };
    }
    case "uboot": {
      const f = policy.uboot?.[cpu];
      return f === undefined
        ? { action: "ignore", reason: `no U-Boot boot file configured for ${cpu}` }
        : { action: "boot", file: f, via: "tftp", vendorClass: "PXEClient", rule: `uboot ${cpu}` };
    }
    default:
      return { action: "ignore", reason: `no boot rule for firmware ${client.firmware}` };
  }
}
