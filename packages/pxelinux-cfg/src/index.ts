/**
 * @pxe/pxelinux-cfg: lossless PXELINUX/SYSLINUX config parser, menu model, lookup order and
 * migration to iPXE.
 *
 * @packageDocumentation
 */

export {
  type ConfigFile,
  type CstLine,
  type LineKind,
  parse,
  print,
  printLine,
  syntaxDiagnostics,
} from "./cst.js";
export { type Diagnostic, DiagnosticCode, type Severity } from "./diagnostics.js";
export { type DirectiveReaders, Directives, type KernelType, KernelTypes } from "./directives.js";
export { isPxelinuxCfgError, PxelinuxCfgError } from "./errors.js";
export { type IncludeResolver, includeNames, type LoadOptions, loadConfig } from "./include.js";
export { formatText, lintText } from "./lint.js";
export {
  bootifString,
  configLookupOrder,
  derivePathPrefix,
  type LookupCandidate,
  type LookupInput,
  type LookupReason,
  type LookupResult,
  pathPrefixCwd,
  type ResolvedPath,
  resolvePath,
  urlType,
  uuidString,
} from "./lookup.js";
export {
  buildModel,
  compareReaders,
  type EntryAction,
  type ImageType,
  initrdList,
  type LabelEntry,
  type LoadedConfig,
  MAX_INCLUDE_DEPTH,
  type MenuItem,
  type MenuModel,
  type ModelOptions,
  modelFromText,
  moduleCandidates,
  type PxelinuxModel,
  type Reader,
  type ReaderDifference,
  type SeparatorEntry,
  type SourceRef,
  type SubmenuEntry,
} from "./model.js";
export {
  type ConversionNote,
  type ItemMapping,
  itemText,
  pathToUrl,
  type ToIpxeOptions,
  type ToIpxeResult,
  toIpxe,
} from "./to-ipxe.js";
