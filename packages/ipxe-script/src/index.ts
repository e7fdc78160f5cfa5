/**
 * @pxe/ipxe-script: lossless iPXE script parser, semantic model, linter, formatter and builder.
 *
 * @packageDocumentation
 */

export {
  type BlankSpec,
  buildScript,
  CARRIER_PREFIX,
  type CommandSpec,
  type CommentSpec,
  type CommonCommandName,
  isSafeToken,
  type LabelSpec,
  type MenuGapSpec,
  type MenuItemSpec,
  type MenuSpec,
  type OptionValue,
  parseScriptSpec,
  type RawSpec,
  type ScriptSpec,
  type StatementSpec,
} from "./builder.js";
export {
  COMMANDS,
  type CommandInfo,
  commandInfo,
  DOWNLOAD_COMMANDS,
  IMAGE_COMMANDS,
  type OptionArg,
  type OptionInfo,
  PREDEFINED_SETTINGS,
} from "./commands.js";
export { IpxeScriptError, isIpxeScriptError } from "./errors.js";
export {
  type ClientFacts,
  type ExpandOptions,
  expand,
  formatSetting,
  parseSettingTag,
  parseSettingValue,
  SETTING_TYPES,
  SettingsStore,
  type SettingType,
  type SettingValue,
} from "./expand.js";
export { format } from "./format.js";
export {
  type GetoptProblem,
  type GetoptResult,
  getopt,
  type ParsedOption,
  parseIpxeInteger,
  parseIpxeKey,
} from "./getopt.js";
export {
  analyze,
  type CommandNode,
  type ControlFlow,
  DIAGNOSTIC_CODES,
  type Diagnostic,
  type DiagnosticCode,
  type FetchRef,
  type FlowEdge,
  type LabelDef,
  type MenuChoice,
  type MenuItem,
  type ScriptModel,
  type SettingAccess,
  type Severity,
  syntaxDiagnostics,
} from "./model.js";
export { lint, type ParseResult, parse } from "./parse.js";
export {
  type CommentToken,
  type ExpansionPart,
  isIpxeSpace,
  type LabelToken,
  type Line,
  LineIndex,
  type LiteralPart,
  type OperatorToken,
  parseSettingRef,
  parseTree,
  parseWordParts,
  print,
  type Script,
  type Segment,
  type SettingRef,
  type SyntaxToken,
  signatureOf,
  type TokenKind,
  type WordPart,
  type WordToken,
} from "./syntax.js";
