import {
  bytesOption,
  classlessRouteOption,
  clientFqdnOption,
  clientIdOption,
  dnsNameListOption,
  emptyOption,
  flagOption,
  int32Option,
  ipv4ListOption,
  ipv4Option,
  ipv4PairListOption,
  parameterListOption,
  relayAgentOption,
  sipServersOption,
  statusCodeOption,
  textOption,
  uintListOption,
  uintOption,
  userClassOption,
  vendorClassOption,
  vendorSpecificOption,
} from "./codecs.js";
import { type OptionCodec, OptionRegistry } from "./registry.js";

type Kind =
  | "ip"
  | "ips"
  | "ips0"
  | "pairs"
  | "u8"
  | "u16"
  | "u32"
  | "i32"
  | "u8s"
  | "u16s"
  | "flag"
  | "text"
  | "bytes"
  | "empty"
  | "names"
  | "prl"
  | "clientId"
  | "userClass"
  | "fqdn"
  | "relay"
  | "routes"
  | "vivc"
  | "vivso"
  | "status"
  | "sip";

// One row per option: code, camelCase name, value kind. RFC 2132 in full (1-76), then the
// IANA registry entries seen on real networks. Options 43/60/77/93/94/97/175/208-211 get plain
// codecs here; @pxe/pxe-options registers richer ones.
const TABLE = [
  [1, "subnetMask", "ip"],
  [2, "timeOffset", "i32"],
  [3, "router", "ips"],
  [4, "timeServer", "ips"],
  [5, "nameServer", "ips"],
  [6, "domainNameServer", "ips"],
  [7, "logServer", "ips"],
  [8, "cookieServer", "ips"],
  [9, "lprServer", "ips"],
  [10, "impressServer", "ips"],
  [11, "resourceLocationServer", "ips"],
  [12, "hostName", "text"],
  [13, "bootFileSize", "u16"],
  [14, "meritDumpFile", "text"],
  [15, "domainName", "text"],
  [16, "swapServer", "ip"],
  [17, "rootPath", "text"],
  [18, "extensionsPath", "text"],
  [19, "ipForwarding", "flag"],
  [20, "nonLocalSourceRouting", "flag"],
  [21, "policyFilter", "pairs"],
  [22, "maxDatagramReassemblySize", "u16"],
  [23, "defaultIpTtl", "u8"],
  [24, "pathMtuAgingTimeout", "u32"],
  [25, "pathMtuPlateauTable", "u16s"],
  [26, "interfaceMtu", "u16"],
  [27, "allSubnetsAreLocal", "flag"],
  [28, "broadcastAddress", "ip"],
  [29, "performMaskDiscovery", "flag"],
  [30, "maskSupplier", "flag"],
  [31, "performRouterDiscovery", "flag"],
  [32, "routerSolicitationAddress", "ip"],
  [33, "staticRoute", "pairs"],
  [34, "trailerEncapsulation", "flag"],
  [35, "arpCacheTimeout", "u32"],
  [36, "ethernetEncapsulation", "flag"],
  [37, "tcpDefaultTtl", "u8"],
  [38, "tcpKeepaliveInterval", "u32"],
  [39, "tcpKeepaliveGarbage", "flag"],
  [40, "nisDomain", "text"],
  [41, "nisServers", "ips"],
  [42, "ntpServers", "ips"],
  [43, "vendorSpecificInformation", "bytes"],
  [44, "netbiosNameServers", "ips"],
  [45, "netbiosDatagramDistributionServers", "ips"],
  [46, "netbiosNodeType", "u8"],
  [47, "netbiosScope", "text"],
  [48, "xWindowFontServers", "ips"],
  [49, "xWindowDisplayManagers", "ips"],
  [50, "requestedIpAddress", "ip"],
  [51, "ipAddressLeaseTime", "u32"],
  [52, "optionOverload", "u8"],
  [53, "dhcpMessageType", "u8"],
  [54, "serverIdentifier", "ip"],
  [55, "parameterRequestList", "prl"],
  [56, "message", "text"],
  [57, "maxMessageSize", "u16"],
  [58, "renewalTime", "u32"],
  [59, "rebindingTime", "u32"],
  [60, "vendorClassIdentifier", "text"],
  [61, "clientIdentifier", "clientId"],
  [62, "netwareIpDomain", "text"],
  [63, "netwareIpInformation", "bytes"],
  [64, "nisPlusDomain", "text"],
  [65, "nisPlusServers", "ips"],
  [66, "tftpServerName", "text"],
  [67, "bootfileName", "text"],
  [68, "mobileIpHomeAgent", "ips0"],
  [69, "smtpServer", "ips"],
  [70, "pop3Server", "ips"],
  [71, "nntpServer", "ips"],
  [72, "wwwServer", "ips"],
  [73, "fingerServer", "ips"],
  [74, "ircServer", "ips"],
  [75, "streetTalkServer", "ips"],
  [76, "stdaServer", "ips"],
  [77, "userClass", "userClass"],
  [78, "directoryAgent", "bytes"],
  [79, "serviceScope", "bytes"],
  [80, "rapidCommit", "empty"],
  [81, "clientFqdn", "fqdn"],
  [82, "relayAgentInformation", "relay"],
  [83, "iSns", "bytes"],
  [85, "ndsServers", "ips"],
  [86, "ndsTreeName", "text"],
  [87, "ndsContext", "text"],
  [88, "bcmcsDomainNames", "names"],
  [89, "bcmcsServers", "ips"],
  [90, "authentication", "bytes"],
  [91, "clientLastTransactionTime", "u32"],
  [92, "associatedIp", "ips"],
  [93, "clientSystemArchitecture", "u16s"],
  [94, "clientNetworkInterfaceIdentifier", "bytes"],
  [95, "ldap", "bytes"],
  [97, "clientMachineIdentifier", "bytes"],
  [98, "userAuthentication", "text"],
  [99, "geoconfCivic", "bytes"],
  [100, "pcode", "text"],
  [101, "tcode", "text"],
  [108, "ipv6OnlyPreferred", "u32"],
  [109, "dhcp4o6SourceAddress", "bytes"],
  [112, "netinfoAddress", "ips"],
  [113, "netinfoTag", "text"],
  [114, "captivePortal", "text"],
  [116, "autoConfigure", "u8"],
  [117, "nameServiceSearch", "u16s"],
  [118, "subnetSelection", "ip"],
  [119, "domainSearch", "names"],
  [120, "sipServers", "sip"],
  [121, "classlessStaticRoute", "routes"],
  [122, "cablelabsClientConfiguration", "bytes"],
  [123, "geoconf", "bytes"],
  [124, "vendorIdentifyingVendorClass", "vivc"],
  [125, "vendorIdentifyingVendorSpecific", "vivso"],
  [136, "panaAgent", "ips"],
  [137, "v4Lost", "names"],
  [138, "capwapAcAddress", "ips"],
  [139, "ipv4AddressMos", "bytes"],
  [140, "ipv4FqdnMos", "bytes"],
  [141, "sipUaConfigurationDomains", "names"],
  [142, "ipv4AddressAndsf", "ips"],
  [143, "sztpRedirect", "bytes"],
  [144, "geoLoc", "bytes"],
  [145, "forcerenewNonceCapable", "u8s"],
  [146, "rdnssSelection", "bytes"],
  [147, "dotsRi", "bytes"],
  [148, "dotsAddress", "bytes"],
  [150, "tftpServerAddress", "ips"],
  [151, "statusCode", "status"],
  [152, "baseTime", "u32"],
  [153, "startTimeOfState", "u32"],
  [154, "queryStartTime", "u32"],
  [155, "queryEndTime", "u32"],
  [156, "dhcpState", "u8"],
  [157, "dataSource", "u8"],
  [158, "pcpServer", "bytes"],
  [159, "portParams", "bytes"],
  [161, "mudUrl", "text"],
  [162, "encryptedDns", "bytes"],
  [175, "etherboot", "bytes"],
  [176, "ipTelephone", "bytes"],
  [177, "packetCable", "bytes"],
  [208, "pxelinuxMagic", "bytes"],
  [209, "configurationFile", "text"],
  [210, "pathPrefix", "text"],
  [211, "rebootTime", "u32"],
  [212, "option6rd", "bytes"],
  [213, "v4AccessDomain", "names"],
  [220, "subnetAllocation", "bytes"],
  [221, "virtualSubnetSelection", "bytes"],
  [252, "wpad", "text"],
] as const satisfies ReadonlyArray<readonly [number, string, Kind]>;

function make(code: number, name: string, kind: Kind): OptionCodec<unknown> {
  switch (kind) {
    case "ip":
      return ipv4Option(code, name);
    case "ips":
      return ipv4ListOption(code, name);
    case "ips0":
      return ipv4ListOption(code, name, 0);
    case "pairs":
      return ipv4PairListOption(code, name);
    case "u8":
      return uintOption(code, name, 1);
    case "u16":
      return uintOption(code, name, 2);
    case "u32":
      return uintOption(code, name, 4);
    case "i32":
      return int32Option(code, name);
    case "u8s":
      return uintListOption(code, name, 1);
    case "u16s":
      return uintListOption(code, name, 2);
    case "flag":
      return flagOption(code, name);
    case "text":
      return textOption(code, name);
    case "bytes":
      return bytesOption(code, name);
    case "empty":
      return emptyOption(code, name);
    case "names":
      return dnsNameListOption(code, name);
    case "prl":
      return parameterListOption(code, name);
    case "clientId":
      return clientIdOption(code, name);
    case "userClass":
      return userClassOption(code, name);
    case "fqdn":
      return clientFqdnOption(code, name);
    case "relay":
      return relayAgentOption(code, name);
    case "routes":
      return classlessRouteOption(code, name);
    case "vivc":
      return vendorClassOption(code, name);
    case "vivso":
      return vendorSpecificOption(code, name);
    case "status":
      return statusCodeOption(code, name);
    case "sip":
      return sipServersOption(code, name);
  }
}

/** The codecs of the standard table, one per code (a fresh array each call). */
export function standardCodecs(): OptionCodec<unknown>[] {
  return TABLE.map(([c, n, k]) => make(c, n, k));
}

/**
 * The default registry: RFC 2132 in full plus the IANA options real networks use (81, 82 with
 * sub-options, 77, 118, 119, 120, 121, 124, 125, 150, 151-157, 252...) and plain codecs for the
 * PXE-related 43/60/77/93/94/97/175/208-211. It is locked: extend it with
 * `defaultRegistry.extend(...)` or `new OptionRegistry(defaultRegistry)` instead of mutating it.
 */
export const defaultRegistry: OptionRegistry = /* @__PURE__ */ new OptionRegistry(
  undefined,
  standardCodecs(),
).lock();

type Row = (typeof TABLE)[number];
/** Codes of the options in the default registry, by camelCase name. */
export type DhcpOptionCodes = { readonly [R in Row as R[1]]: R[0] } & {
  readonly pad: 0;
  readonly end: 255;
};

/** Well-known option codes by camelCase name (`DhcpOption.vendorClassIdentifier === 60`). */
export const DhcpOption: DhcpOptionCodes = /* @__PURE__ */ Object.freeze(
  Object.fromEntries([["pad", 0], ["end", 255], ...TABLE.map(([c, n]) => [n, c])]),
) as DhcpOptionCodes;
