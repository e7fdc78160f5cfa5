/**
 * The IANA "Processor Architecture Types" registry (DHCP option 93, RFC 4578 §2.1, with erratum
 * 4624 applied: 7 = x64 UEFI, 9 = EFI Byte Code).
 */

/** Firmware family a booting client runs. */
export type Firmware =
  | "bios"
  | "uefi"
  | "uboot"
  | "rpiboot"
  | "openfirmware"
  | "s390"
  | "legacy"
  | "unknown";

/** CPU family of a client architecture type. */
export type Cpu =
  | "x86"
  | "x64"
  | "ia64"
  | "ebc"
  | "arm32"
  | "arm64"
  | "riscv32"
  | "riscv64"
  | "riscv128"
  | "ppc"
  | "power"
  | "s390"
  | "mips32"
  | "mips64"
  | "sw32"
  | "sw64"
  | "loongarch32"
  | "loongarch64"
  | "alpha"
  | "xscale"
  | "other";

/** One row of the processor architecture registry. */
export interface ArchInfo {
  /** Type number as sent in option 93. */
  readonly type: number;
  /** Registry name (IANA wording). */
  readonly name: string;
  /** Firmware family. */
  readonly firmware: Firmware;
  /** CPU family. */
  readonly cpu: Cpu;
  /** True for the HTTP boot variants (UEFI HTTP, BIOS HTTP, U-Boot HTTP). */
  readonly http: boolean;
}

function a(type: number, name: string, firmware: Firmware, cpu: Cpu, http = false): ArchInfo {
  return { type, name, firmware, cpu, http };
}

/** Every registered processor architecture type, indexed by type number (0-41). */
export const ARCH_TYPES: readonly ArchInfo[] = [
  a(0, "x86 BIOS", "bios", "x86"),
  a(1, "NEC/PC98 (DEPRECATED)", "legacy", "x86"),
  a(2, "Itanium", "uefi", "ia64"),
  a(3, "DEC Alpha (DEPRECATED)", "legacy", "alpha"),
  a(4, "Arc x86 (DEPRECATED)", "legacy", "x86"),
  a(5, "Intel Lean Client (DEPRECATED)", "legacy", "x86"),
  a(6, "x86 UEFI", "uefi", "x86"),
  a(7, "x64 UEFI", "uefi", "x64"),
  a(8, "EFI Xscale (DEPRECATED)", "legacy", "xscale"),
  a(9, "EBC", "uefi", "ebc"),
  a(10, "ARM 32-bit UEFI", "uefi", "arm32"),
  a(11, "ARM 64-bit UEFI", "uefi", "arm64"),
  a(12, "PowerPC Open Firmware", "openfirmware", "ppc"),
  a(13, "PowerPC ePAPR", "openfirmware", "ppc"),
  a(14, "POWER OPAL v3", "openfirmware", "power"),
  a(15, "x86 uefi boot from http", "uefi", "x86", true),
  a(16, "x64 uefi boot from http", "uefi", "x64", true),
  a(17, "ebc boot from http", "uefi", "ebc", true),
  a(18, "arm uefi 32 boot from http", "uefi", "arm32", true),
  a(19, "arm uefi 64 boot from http", "uefi", "arm64", true),
  a(20, "pc/at bios boot from http", "bios", "x86", true),
  a(21, "arm 32 uboot", "uboot", "arm32"),
  a(22, "arm 64 uboot", "uboot", "arm64"),
  a(23, "arm uboot 32 boot from http", "uboot", "arm32", true),
  a(24, "arm uboot 64 boot from http", "uboot", "arm64", true),
  a(25, "RISC-V 32-bit UEFI", "uefi", "riscv32"),
  a(26, "RISC-V 32-bit UEFI boot from http", "uefi", "riscv32", true),
  a(27, "RISC-V 64-bit UEFI", "uefi", "riscv64"),
  a(28, "RISC-V 64-bit UEFI boot from http", "uefi", "riscv64", true),
  a(29, "RISC-V 128-bit UEFI", "uefi", "riscv128"),
  a(30, "RISC-V 128-bit UEFI boot from http", "uefi", "riscv128", true),
  a(31, "s390 Basic", "s390", "s390"),
  a(32, "s390 Extended", "s390", "s390"),
  a(33, "MIPS 32-bit UEFI", "uefi", "mips32"),
  a(34, "MIPS 64-bit UEFI", "uefi", "mips64"),
  a(35, "Sunway 32-bit UEFI", "uefi", "sw32"),
  a(36, "Sunway 64-bit UEFI", "uefi", "sw64"),
  a(37, "LoongArch 32-bit UEFI", "uefi", "loongarch32"),
  a(38, "LoongArch 32-bit UEFI boot from http", "uefi", "loongarch32", true),
  a(39, "LoongArch 64-bit UEFI", "uefi", "loongarch64"),
  a(40, "LoongArch 64-bit UEFI boot from http", "uefi", "loongarch64", true),
  a(41, "arm rpiboot", "rpiboot", "arm64"),
];

/** Named constants for the architecture types servers branch on most. */
export const ARCH = {
  X86_BIOS: 0,
  IA32_UEFI: 6,
  X64_UEFI: 7,
  EBC: 9,
  ARM32_UEFI: 10,
  ARM64_UEFI: 11,
  X86_UEFI_HTTP: 15,
  X64_UEFI_HTTP: 16,
  EBC_HTTP: 17,
  ARM32_UEFI_HTTP: 18,
  ARM64_UEFI_HTTP: 19,
  BIOS_HTTP: 20,
  ARM32_UBOOT: 21,
  ARM64_UBOOT: 22,
  RISCV64_UEFI: 27,
  RISCV64_UEFI_HTTP: 28,
  LOONGARCH64_UEFI: 39,
  RPIBOOT: 41,
} as const;

/** Registry row for `type`, or undefined for a type the registry does not (yet) list. */
export function archInfo(type: number): ArchInfo | undefined {
  return Number.isInteger(type) && type >= 0 ? ARCH_TYPES[type] : undefined;
}

/** Registry name for `type`; unknown types read `"unknown (0xNNNN)"`, never an error. */
export function archName(type: number): string {
  return archInfo(type)?.name ?? `unknown (0x${(type >>> 0).toString(16).padStart(4, "0")})`;
}

/** True when `type` is one of the HTTP boot variants. */
export function isHttpArch(type: number): boolean {
  return archInfo(type)?.http === true;
}

/**
 * The CPU a boot file must be built for. Same as the registry's CPU except for EFI Byte Code (9
 * and 17): firmwares send 9 for x64 UEFI (the original RFC 4578 text had 7 and 9 swapped, erratum
 * 4624), so 9/17 map to `"x64"` here, as pixiecore, smee and dnsmasq configurations do.
 */
export function bootCpu(type: number): Cpu | undefined {
  const info = archInfo(type);
  if (!info) return undefined;
  return info.cpu === "ebc" ? "x64" : info.cpu;
}
