/**
 * The few things this package needs from a decoded DHCP message. `@pxe/dhcp`'s `DhcpView`
 * satisfies it as is; so does any object with these members (a test fixture, another codec).
 */
export interface DhcpMessageLike {
  /** 1 = BOOTREQUEST, 2 = BOOTREPLY. */
  readonly op: number;
  /** Hardware address type (1 = Ethernet). */
  readonly htype: number;
  /** Hardware address length. */
  readonly hlen: number;
  /** Transaction id. */
  readonly xid: number;
  /** Flags (bit 15 = broadcast). */
  readonly flags: number;
  /** Client IP address, dotted quad. */
  readonly ciaddr: string;
  /** Relay agent IP address, dotted quad. */
  readonly giaddr: string;
  /** Client hardware address, `hlen` bytes (at most 16). */
  readonly chaddr: Uint8Array;
  /** Value bytes of option `code` (RFC 3396 instances concatenated), or undefined when absent. */
  get(code: number): Uint8Array | undefined;
}

/** DHCP option codes this package reads or writes. */
export const OPT = {
  SUBNET_MASK: 1,
  ROUTER: 3,
  DNS: 6,
  HOSTNAME: 12,
  LEASE_TIME: 51,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  SERVER_ID: 54,
  PARAMETER_LIST: 55,
  RENEWAL_TIME: 58,
  REBINDING_TIME: 59,
  VENDOR_CLASS: 60,
  CLIENT_ID: 61,
  TFTP_SERVER_NAME: 66,
  BOOTFILE_NAME: 67,
  USER_CLASS: 77,
  RELAY_AGENT: 82,
  CLIENT_ARCH: 93,
  CLIENT_NDI: 94,
  CLIENT_MACHINE_ID: 97,
  VENDOR_SPECIFIC: 43,
  IPXE: 175,
  PXELINUX_MAGIC: 208,
  PXELINUX_CONFIG_FILE: 209,
  PXELINUX_PATH_PREFIX: 210,
  PXELINUX_REBOOT_TIME: 211,
} as const;

/** DHCP message types (option 53) used here. */
export const MSG = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;
