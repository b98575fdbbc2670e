/**
 * Messages between the extension host and the graph webview. Both directions are
 * discriminated unions on `type`. Each side treats what it receives as untrusted and runs it
 * through `parseHostMessage` or `parseWebviewMessage` before use: the webview's content can be
 * influenced by the plan file, and a stale webview may post messages of an older shape.
 *
 * Handshake: the webview posts `ready` once its script has loaded, and the host replies with
 * `init`. After a reload the webview posts `ready` again and receives a fresh `init`.
 */
import type {
  EdgeKind,
  GraphComponent,
  GraphEdge,
  GraphKind,
  GraphModel,
  GraphNode,
  NodeKind,
  NodeStatus,
} from './graphModel';

/** Layouts the user can pick. The stock Cytoscape ones are only offered for small graphs. */
export type LayoutName = 'layered' | 'force' | 'cose' | 'breadthfirst' | 'circle' | 'grid';

export const LAYOUT_NAMES: readonly LayoutName[] = ['layered', 'force', 'cose', 'breadthfirst', 'circle', 'grid'];

/** Viewport and choices the webview restores after a reload or a model update. */
export interface ViewState {
  /** URI of the document the panel shows, so the serializer can reopen it. */
  documentUri: string;
  zoom?: number;
  pan?: { x: number; y: number };
  selectedId?: string;
  layout?: LayoutName;
  /** Ids of the strongly connected components the user expanded in a condensed view. */
  expandedComponents?: number[];
  search?: string;
}

/** Settings that shape the first render. */
export interface ViewOptions {
  /** Above this many nodes the graph opens with each strongly connected component as one node. */
  condenseThreshold: number;
  /** Stock Cytoscape layouts are offered only up to this many nodes. */
  stockLayoutMaxNodes: number;
}

/** Live timing of one running or finished call, keyed by graph node id. */
export interface CallAge {
  id: string;
  /** Epoch milliseconds. */
  startedAt: number;
  /** Time budget in milliseconds; absent when the call has none. */
  timeoutMs?: number;
  status: NodeStatus;
}

/**
 * Keys of the user-facing strings the webview shows. The host fills every key through
 * `vscode.l10n.t`, so the webview itself contains no English text.
 */
export const WEBVIEW_STRING_KEYS = [
  'fit',
  'zoomIn',
  'zoomOut',
  'layout',
  'layoutLayered',
  'layoutForce',
  'layoutCose',
  'layoutBreadthfirst',
  'layoutCircle',
  'layoutGrid',
  'previousCycle',
  'nextCycle',
  'noCycles',
  'cycleCount',
  'cyclePosition',
  'cycleOf',
  'search',
  'searchPlaceholder',
  'searchNoMatch',
  'searchMatches',
  'exportPng',
  'exportSvg',
  'copyDot',
  'copyMermaid',
  'legend',
  'legendOk',
  'legendCycle',
  'legendCycleGroup',
  'legendSelectedCycle',
  'legendBlocked',
  'legendMissing',
  'legendLockInversion',
  'legendRunning',
  'legendNearTimeout',
  'legendTimeout',
  'legendKilled',
  'legendStranded',
  'legendDone',
  'legendFailed',
  'legendUpstream',
  'legendDownstream',
  'legendCondensed',
  'legendWait',
  'legendHolds',
  'legendRequests',
  'tool',
  'stage',
  'status',
  'component',
  'lockInversion',
  'age',
  'ageOfTimeout',
  'condensedNotice',
  'expandComponent',
  'collapseComponent',
  'layoutFailed',
  'emptyGraph',
  'statusOk',
  'statusCycle',
  'statusBlocked',
  'statusMissing',
  'statusPending',
  'statusRunning',
  'statusDone',
  'statusFailed',
  'statusTimeout',
  'statusKilled',
  'statusStranded',
  'neverStarted',
  'neverStartedBecause',
  'neverStartedNoReason',
  'strandedBecause',
  'keyboardHelp',
] as const;

export type WebviewStringKey = (typeof WEBVIEW_STRING_KEYS)[number];

/** Translated strings by key. Values may contain `{0}`-style placeholders that the webview fills. */
export type WebviewStrings = Record<WebviewStringKey, string>;

/** Messages the host posts to the webview. */
export type HostMessage =
  /** First message after `ready`: the model, the strings, the options and any state to restore. */
  | { type: 'init'; model: GraphModel; strings: WebviewStrings; options: ViewOptions; state: ViewState }
  /** A new model after an edit; the webview keeps zoom, pan and selection. */
  | { type: 'update'; model: GraphModel }
  /** Live ages of running and finished calls, sent at least once a second while any call runs. */
  | { type: 'ages'; now: number; calls: CallAge[] }
  /** The editor cursor moved into this node's range: select it without moving the view much. */
  | { type: 'select'; nodeId: string }
  /** Select this node and centre the view on it, for commands such as a CodeLens. */
  | { type: 'focus'; nodeId: string }
  /** Ask the webview to render an image of the current view and post it back as `exportImage`. */
  | { type: 'requestExport'; format: ImageFormat };

export type ImageFormat = 'png' | 'svg';
export type TextFormat = 'dot' | 'mermaid';

/** Messages the webview posts to the host. */
export type WebviewMessage =
  /** The webview script has loaded and waits for `init`. */
  | { type: 'ready' }
  /** The user clicked or pressed Enter on a node: reveal its range in the editor. */
  | { type: 'reveal'; nodeId: string }
  /** Image of the current view: a `data:image/png;base64,` URL for PNG, SVG markup for SVG. */
  | { type: 'exportImage'; format: ImageFormat; data: string }
  /** Copy the graph as DOT or Mermaid text, produced on the host by the core exporters. */
  | { type: 'copyText'; format: TextFormat }
  /** The view changed: the host keeps it to restore the panel. */
  | { type: 'state'; state: ViewState }
  /** Something failed inside the webview; the host writes it to the log. */
  | { type: 'error'; message: string };

/** Result of validating an untrusted value: the typed value, or the reason it was rejected. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const GRAPH_KINDS: readonly GraphKind[] = ['plan', 'wait-for'];
const NODE_KINDS: readonly NodeKind[] = ['step', 'missing', 'agent', 'call', 'lock', 'component'];
export const NODE_STATUSES: readonly NodeStatus[] = [
  'ok',
  'cycle',
  'blocked',
  'missing',
  'pending',
  'running',
  'done',
  'failed',
  'timeout',
  'killed',
  'stranded',
];
const EDGE_KINDS: readonly EdgeKind[] = ['dependency', 'wait', 'holds', 'requests', 'parent'];

/** Largest PNG or SVG the host accepts from the webview, in characters. */
export const MAX_EXPORT_CHARS = 64 * 1024 * 1024;

class ValidationError extends Error {}

function fail(path: string, expected: string): never {
  throw new ValidationError(`${path}: expected ${expected}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (!isRecord(value)) fail(path, 'an object');
  return value;
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'a string');
  return value;
}

function finiteNumber(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'a finite number');
  return value;
}

function integer(value: unknown, path: string): number {
  if (!Number.isSafeInteger(value)) fail(path, 'an integer');
  return value as number;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(path, `one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'an array');
  return value;
}

function optional<T>(value: unknown, read: (value: unknown) => T): T | undefined {
  return value === undefined ? undefined : read(value);
}

function stringArray(value: unknown, path: string): string[] {
  return array(value, path).map((item, i) => string(item, `${path}[${i}]`));
}

function range(value: unknown, path: string): { start: number; end: number } {
  const object = record(value, path);
  const start = integer(object.start, `${path}.start`);
  const end = integer(object.end, `${path}.end`);
  if (start < 0 || end < start) fail(path, 'a range with 0 <= start <= end');
  return { start, end };
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function node(value: unknown, path: string): GraphNode {
  const object = record(value, path);
  const result: GraphNode = {
    id: string(object.id, `${path}.id`),
    label: string(object.label, `${path}.label`),
    kind: oneOf(object.kind, NODE_KINDS, `${path}.kind`),
    status: oneOf(object.status, NODE_STATUSES, `${path}.status`),
  };
  assign(result, 'tool', optional(object.tool, (v) => string(v, `${path}.tool`)));
  assign(result, 'stage', optional(object.stage, (v) => integer(v, `${path}.stage`)));
  assign(result, 'component', optional(object.component, (v) => integer(v, `${path}.component`)));
  assign(result, 'blockedReason', optional(object.blockedReason, (v) => string(v, `${path}.blockedReason`)));
  if (object.neverStarted !== undefined) {
    if (typeof object.neverStarted !== 'boolean') fail(`${path}.neverStarted`, 'a boolean');
    result.neverStarted = object.neverStarted;
  }
  assign(result, 'strandedReason', optional(object.strandedReason, (v) => string(v, `${path}.strandedReason`)));
  if (object.lockInversion !== undefined) {
    if (typeof object.lockInversion !== 'boolean') fail(`${path}.lockInversion`, 'a boolean');
    result.lockInversion = object.lockInversion;
  }
  assign(result, 'startedAt', optional(object.startedAt, (v) => finiteNumber(v, `${path}.startedAt`)));
  assign(result, 'endedAt', optional(object.endedAt, (v) => finiteNumber(v, `${path}.endedAt`)));
  assign(result, 'timeoutMs', optional(object.timeoutMs, (v) => finiteNumber(v, `${path}.timeoutMs`)));
  assign(result, 'range', optional(object.range, (v) => range(v, `${path}.range`)));
  assign(result, 'details', optional(object.details, (v) => stringArray(v, `${path}.details`)));
  return result;
}

function edge(value: unknown, path: string): GraphEdge {
  const object = record(value, path);
  if (typeof object.onCycle !== 'boolean') fail(`${path}.onCycle`, 'a boolean');
  const result: GraphEdge = {
    id: string(object.id, `${path}.id`),
    source: string(object.source, `${path}.source`),
    target: string(object.target, `${path}.target`),
    kind: oneOf(object.kind, EDGE_KINDS, `${path}.kind`),
    onCycle: object.onCycle,
  };
  assign(result, 'label', optional(object.label, (v) => string(v, `${path}.label`)));
  assign(result, 'cycle', optional(object.cycle, (v) => stringArray(v, `${path}.cycle`)));
  assign(result, 'range', optional(object.range, (v) => range(v, `${path}.range`)));
  return result;
}

function component(value: unknown, path: string): GraphComponent {
  const object = record(value, path);
  return { id: integer(object.id, `${path}.id`), members: stringArray(object.members, `${path}.members`) };
}

/**
 * Validates a graph model and its referential integrity: node ids are unique, and every
 * edge endpoint, component member and stage entry names a node.
 */
function graphModel(value: unknown, path: string): GraphModel {
  const object = record(value, path);
  const nodes = array(object.nodes, `${path}.nodes`).map((item, i) => node(item, `${path}.nodes[${i}]`));
  const ids = new Set<string>();
  for (const [i, item] of nodes.entries()) {
    if (ids.has(item.id)) fail(`${path}.nodes[${i}].id`, `a unique id, but ${JSON.stringify(item.id)} repeats`);
    ids.add(item.id);
  }
  const known = (id: string, where: string): void => {
    if (!ids.has(id)) fail(where, `the id of a node, but ${JSON.stringify(id)} is not one`);
  };

  const edges = array(object.edges, `${path}.edges`).map((item, i) => edge(item, `${path}.edges[${i}]`));
  for (const [i, item] of edges.entries()) {
    known(item.source, `${path}.edges[${i}].source`);
    known(item.target, `${path}.edges[${i}].target`);
  }
  const components = array(object.components, `${path}.components`).map((item, i) =>
    component(item, `${path}.components[${i}]`),
  );
  for (const [i, item] of components.entries()) {
    for (const member of item.members) known(member, `${path}.components[${i}].members`);
  }

  const result: GraphModel = {
    kind: oneOf(object.kind, GRAPH_KINDS, `${path}.kind`),
    title: string(object.title, `${path}.title`),
    nodes,
    edges,
    components,
  };
  if (object.stages !== undefined) {
    const stages = array(object.stages, `${path}.stages`).map((layer, i) => stringArray(layer, `${path}.stages[${i}]`));
    for (const [i, layer] of stages.entries()) {
      for (const id of layer) known(id, `${path}.stages[${i}]`);
    }
    result.stages = stages;
  }
  return result;
}

function strings(value: unknown, path: string): WebviewStrings {
  const object = record(value, path);
  const result = {} as WebviewStrings;
  for (const key of WEBVIEW_STRING_KEYS) result[key] = string(object[key], `${path}.${key}`);
  return result;
}

function viewOptions(value: unknown, path: string): ViewOptions {
  const object = record(value, path);
  const condenseThreshold = integer(object.condenseThreshold, `${path}.condenseThreshold`);
  const stockLayoutMaxNodes = integer(object.stockLayoutMaxNodes, `${path}.stockLayoutMaxNodes`);
  if (condenseThreshold < 1) fail(`${path}.condenseThreshold`, 'a positive integer');
  if (stockLayoutMaxNodes < 0) fail(`${path}.stockLayoutMaxNodes`, 'a non-negative integer');
  return { condenseThreshold, stockLayoutMaxNodes };
}

/** Validates a view state. Also used by the serializer on state that VS Code stored. */
export function parseViewState(value: unknown, path = 'state'): Parsed<ViewState> {
  return attempt(() => viewState(value, path));
}

function viewState(value: unknown, path: string): ViewState {
  const object = record(value, path);
  const result: ViewState = { documentUri: string(object.documentUri, `${path}.documentUri`) };
  assign(result, 'zoom', optional(object.zoom, (v) => finiteNumber(v, `${path}.zoom`)));
  if (object.pan !== undefined) {
    const pan = record(object.pan, `${path}.pan`);
    result.pan = { x: finiteNumber(pan.x, `${path}.pan.x`), y: finiteNumber(pan.y, `${path}.pan.y`) };
  }
  assign(result, 'selectedId', optional(object.selectedId, (v) => string(v, `${path}.selectedId`)));
  assign(result, 'layout', optional(object.layout, (v) => oneOf(v, LAYOUT_NAMES, `${path}.layout`)));
  if (object.expandedComponents !== undefined) {
    result.expandedComponents = array(object.expandedComponents, `${path}.expandedComponents`).map((item, i) =>
      integer(item, `${path}.expandedComponents[${i}]`),
    );
  }
  assign(result, 'search', optional(object.search, (v) => string(v, `${path}.search`)));
  return result;
}

function callAge(value: unknown, path: string): CallAge {
  const object = record(value, path);
  const result: CallAge = {
    id: string(object.id, `${path}.id`),
    startedAt: finiteNumber(object.startedAt, `${path}.startedAt`),
    status: oneOf(object.status, NODE_STATUSES, `${path}.status`),
  };
  assign(result, 'timeoutMs', optional(object.timeoutMs, (v) => finiteNumber(v, `${path}.timeoutMs`)));
  return result;
}

function attempt<T>(read: () => T): Parsed<T> {
  try {
    return { ok: true, value: read() };
  } catch (error) {
    if (error instanceof ValidationError) return { ok: false, error: error.message };
    throw error;
  }
}

/** Validates a message from the host. Used by the webview on every `message` event. */
export function parseHostMessage(value: unknown): Parsed<HostMessage> {
  return attempt((): HostMessage => {
    const object = record(value, 'message');
    const type = string(object.type, 'message.type');
    switch (type) {
      case 'init':
        return {
          type,
          model: graphModel(object.model, 'message.model'),
          strings: strings(object.strings, 'message.strings'),
          options: viewOptions(object.options, 'message.options'),
          state: viewState(object.state, 'message.state'),
        };
      case 'update':
        return { type, model: graphModel(object.model, 'message.model') };
      case 'ages':
        return {
          type,
          now: finiteNumber(object.now, 'message.now'),
          calls: array(object.calls, 'message.calls').map((item, i) => callAge(item, `message.calls[${i}]`)),
        };
      case 'select':
      case 'focus':
        return { type, nodeId: string(object.nodeId, 'message.nodeId') };
      case 'requestExport':
        return { type, format: oneOf(object.format, ['png', 'svg'] as const, 'message.format') };
      default:
        return fail('message.type', `a host message type, but got ${JSON.stringify(type)}`);
    }
  });
}

/** Validates a message from the webview. Used by the host on every `onDidReceiveMessage`. */
export function parseWebviewMessage(value: unknown): Parsed<WebviewMessage> {
  return attempt((): WebviewMessage => {
    const object = record(value, 'message');
    const type = string(object.type, 'message.type');
    switch (type) {
      case 'ready':
        return { type };
      case 'reveal':
        return { type, nodeId: string(object.nodeId, 'message.nodeId') };
      case 'exportImage': {
        const format = oneOf(object.format, ['png', 'svg'] as const, 'message.format');
        const data = string(object.data, 'message.data');
        if (data.length > MAX_EXPORT_CHARS) fail('message.data', `at most ${MAX_EXPORT_CHARS} characters`);
        if (format === 'png' && !data.startsWith('data:image/png;base64,')) {
          fail('message.data', 'a data:image/png;base64 URL');
        }
        if (format === 'svg' && !/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/.test(data)) {
          fail('message.data', 'SVG markup starting with <svg');
        }
        return { type, format, data };
      }
      case 'copyText':
        return { type, format: oneOf(object.format, ['dot', 'mermaid'] as const, 'message.format') };
      case 'state':
        return { type, state: viewState(object.state, 'message.state') };
      case 'error':
        return { type, message: string(object.message, 'message.message').slice(0, 4000) };
      default:
        return fail('message.type', `a webview message type, but got ${JSON.stringify(type)}`);
    }
  });
}

/** Fills `{0}`, `{1}` … in a translated string. Missing arguments leave the placeholder. */
export function formatString(template: string, ...args: Array<string | number>): string {
  return template.replace(/\{(\d+)\}/g, (match, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? match : String(value);
  });
}
