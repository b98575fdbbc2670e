/**
 * Entry point of the graph webview. It posts `ready`, waits for the host's `init`, and from
 * then on routes validated host messages to the `GraphView`. The host's HTML provides the
 * containers and, in `data-worker-uri` on `<body>`, the URL of the layout worker script.
 */
import { parseHostMessage, parseViewState, type HostMessage, type ViewState, type WebviewMessage } from '../src/shared/protocol';
import { GraphView } from './graphView';
import { LayoutEngine } from './layoutEngine';
import { watchTheme } from './theme';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (message: WebviewMessage): void => vscode.postMessage(message);

function required(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`graph webview: element #${id} is missing from the page`);
  return found;
}

const chrome = {
  container: required('graph'),
  toolbarHost: required('toolbar'),
  legendHost: required('legend'),
  noticeHost: required('notice'),
};

const layouts = new LayoutEngine(document.body.dataset.workerUri, (message) => post({ type: 'error', message }));
layouts.warmUp();
let view: GraphView | undefined;
/** Messages are handled one at a time, so an update never races the render it follows. */
let queue: Promise<void> = Promise.resolve();

function saveState(state: ViewState): void {
  vscode.setState(state);
  post({ type: 'state', state });
}

async function handle(message: HostMessage): Promise<void> {
  switch (message.type) {
    case 'init': {
      // State kept by the webview itself wins over the host's copy, because it is newer after a reload.
      const stored = parseViewState(vscode.getState());
      const state = stored.ok && stored.value.documentUri === message.state.documentUri ? stored.value : message.state;
      view = new GraphView(chrome, message.model, message.strings, message.options, state, layouts, post, saveState);
      await view.render(false);
      return;
    }
    case 'update':
      await view?.update(message.model);
      return;
    case 'ages':
      view?.applyAges(message.now, message.calls);
      return;
    case 'select':
      view?.selectModelNode(message.nodeId, false);
      return;
    case 'focus':
      view?.selectModelNode(message.nodeId, true);
      chrome.container.focus();
      return;
    case 'requestExport':
      view?.exportImage(message.format);
      return;
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = parseHostMessage(event.data);
  if (!parsed.ok) {
    post({ type: 'error', message: `Ignored an invalid message from the host: ${parsed.error}` });
    return;
  }
  queue = queue
    .then(() => handle(parsed.value))
    .catch((error: unknown) => post({ type: 'error', message: `Handling ${parsed.value.type} failed: ${String(error)}` }));
});

watchTheme(document, () => view?.restyle());

// Test pages opt in to a handle on the view by setting data-test-hooks on <body>; the host's page never does.
if (document.body.dataset.testHooks === 'on') {
  (window as unknown as { __agentDeadlockGraph: { view(): GraphView | undefined } }).__agentDeadlockGraph = { view: () => view };
}

post({ type: 'ready' });
