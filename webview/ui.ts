/**
 * The panel chrome around the graph: toolbar, search box, legend, tooltip and status line.
 * Everything is built with `createElement` and `textContent`, so step ids and tool names,
 * which are untrusted text, are never parsed as HTML.
 */
import type { LayoutName, WebviewStrings } from '../src/shared/protocol';
import type { Palette } from './theme';

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: { className?: string; text?: string; title?: string; attributes?: Record<string, string> } = {},
  children: Array<HTMLElement | string> = [],
): HTMLElementTagNameMap[K] {
  const result = document.createElement(tag);
  if (options.className) result.className = options.className;
  if (options.text !== undefined) result.textContent = options.text;
  if (options.title !== undefined) result.title = options.title;
  for (const [name, value] of Object.entries(options.attributes ?? {})) result.setAttribute(name, value);
  for (const child of children) result.append(child);
  return result;
}

export interface ToolbarHandlers {
  fit(): void;
  zoom(factor: number): void;
  layout(name: LayoutName): void;
  cycle(step: 1 | -1): void;
  search(text: string): void;
  exportImage(format: 'png' | 'svg'): void;
  copyText(format: 'dot' | 'mermaid'): void;
  collapseAll(): void;
}

export interface Toolbar {
  root: HTMLElement;
  layoutSelect: HTMLSelectElement;
  searchInput: HTMLInputElement;
  searchStatus: HTMLElement;
  cycleStatus: HTMLElement;
  collapseButton: HTMLButtonElement;
  setLayouts(available: LayoutName[], current: LayoutName): void;
}

const LAYOUT_STRING: Record<LayoutName, keyof WebviewStrings> = {
  layered: 'layoutLayered',
  force: 'layoutForce',
  cose: 'layoutCose',
  breadthfirst: 'layoutBreadthfirst',
  circle: 'layoutCircle',
  grid: 'layoutGrid',
};

export function buildToolbar(strings: WebviewStrings, handlers: ToolbarHandlers): Toolbar {
  const button = (text: string, title: string, onClick: () => void, className = ''): HTMLButtonElement => {
    const result = element('button', { text, title, className, attributes: { type: 'button', 'aria-label': title } });
    result.addEventListener('click', onClick);
    return result;
  };

  const layoutSelect = element('select', { title: strings.layout, attributes: { 'aria-label': strings.layout } });
  layoutSelect.addEventListener('change', () => handlers.layout(layoutSelect.value as LayoutName));

  const searchInput = element('input', {
    className: 'search',
    attributes: { type: 'search', placeholder: strings.searchPlaceholder, 'aria-label': strings.search, spellcheck: 'false' },
  });
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  searchInput.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => handlers.search(searchInput.value), 120);
  });
  searchInput.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      searchInput.value = '';
      handlers.search('');
    }
  });
  const searchStatus = element('span', { className: 'status', attributes: { 'aria-live': 'polite' } });
  const cycleStatus = element('span', { className: 'status', attributes: { 'aria-live': 'polite' } });
  const collapseButton = button(strings.collapseComponent, strings.collapseComponent, handlers.collapseAll);
  collapseButton.hidden = true;

  const root = element('div', { className: 'toolbar', attributes: { role: 'toolbar' } }, [
    element('div', { className: 'group' }, [
      button('⤢', strings.fit, handlers.fit),
      button('+', strings.zoomIn, () => handlers.zoom(1.25)),
      button('−', strings.zoomOut, () => handlers.zoom(0.8)),
      element('label', { className: 'layout-label', text: strings.layout }, [layoutSelect]),
    ]),
    element('div', { className: 'group' }, [
      button('◀', strings.previousCycle, () => handlers.cycle(-1)),
      button('▶', strings.nextCycle, () => handlers.cycle(1)),
      cycleStatus,
      collapseButton,
    ]),
    element('div', { className: 'group grow' }, [searchInput, searchStatus]),
    element('div', { className: 'group' }, [
      button(strings.exportPng, strings.exportPng, () => handlers.exportImage('png')),
      button(strings.exportSvg, strings.exportSvg, () => handlers.exportImage('svg')),
      button(strings.copyDot, strings.copyDot, () => handlers.copyText('dot')),
      button(strings.copyMermaid, strings.copyMermaid, () => handlers.copyText('mermaid')),
    ]),
  ]);

  return {
    root,
    layoutSelect,
    searchInput,
    searchStatus,
    cycleStatus,
    collapseButton,
    setLayouts(available, current) {
      layoutSelect.replaceChildren(
        ...available.map((name) => element('option', { text: strings[LAYOUT_STRING[name]], attributes: { value: name } })),
      );
      layoutSelect.value = current;
    },
  };
}

type SwatchKind = 'node' | 'edge';

interface LegendEntry {
  text: keyof WebviewStrings;
  swatch: SwatchKind;
  /** Cytoscape selector of the elements this row explains; rows without a match are hidden. */
  selector?: string;
  paint(swatch: HTMLElement, palette: Palette): void;
}

/** Legend rows; each paints its swatch with the same colours and line styles as the graph. */
const LEGEND: LegendEntry[] = [
  { text: 'legendOk', swatch: 'node', paint: (s, p) => box(s, p.nodeFill, p.nodeBorder, 'solid', 1) },
  { text: 'legendCycle', selector: 'node.cycle', swatch: 'node', paint: (s, p) => box(s, p.errorFill, p.error, 'solid', 3) },
  { text: 'legendCycleGroup', selector: 'node.component', swatch: 'node', paint: (s, p) => box(s, p.errorFill, p.error, 'dashed', 2) },
  { text: 'legendSelectedCycle', selector: 'edge.on-cycle', swatch: 'edge', paint: (s, p) => line(s, p.error, 'solid', 5) },
  { text: 'legendBlocked', selector: 'node.blocked', swatch: 'node', paint: (s, p) => box(s, p.nodeFill, p.muted, 'dotted', 2, 0.45) },
  { text: 'legendMissing', selector: 'node.missing', swatch: 'node', paint: (s, p) => box(s, 'transparent', p.muted, 'dashed', 2) },
  { text: 'legendLockInversion', selector: 'node.lock-inversion', swatch: 'node', paint: (s, p) => box(s, p.nodeFill, p.warning, 'dashed', 3) },
  { text: 'legendRunning', selector: 'node.running, node.kind-call', swatch: 'node', paint: (s, p) => box(s, p.nodeFill, p.info, 'solid', 3) },
  { text: 'legendNearTimeout', selector: 'node.running, node.kind-call', swatch: 'node', paint: (s, p) => box(s, p.nodeFill, p.warning, 'solid', 4) },
  { text: 'legendTimeout', selector: 'node.timed-out', swatch: 'node', paint: (s, p) => box(s, p.errorFill, p.error, 'double', 4) },
  { text: 'legendKilled', selector: 'node.killed', swatch: 'node', paint: (s, p) => box(s, p.errorFill, p.error, 'double', 4) },
  { text: 'legendStranded', selector: 'node.stranded', swatch: 'node', paint: (s, p) => box(s, p.nodeFill, p.warning, 'dashed', 2, 0.7) },
  { text: 'legendDone', selector: 'node.status-done', swatch: 'node', paint: (s, p) => box(s, p.nodeFill, p.success, 'solid', 2) },
  { text: 'legendFailed', selector: 'node.status-failed', swatch: 'node', paint: (s, p) => box(s, p.nodeFill, p.error, 'dotted', 2) },
  { text: 'legendCondensed', selector: 'node.condensed', swatch: 'node', paint: (s, p) => box(s, p.errorFill, p.error, 'double', 3) },
  { text: 'legendUpstream', swatch: 'edge', paint: (s, p) => line(s, p.upstream, 'solid', 3) },
  { text: 'legendDownstream', swatch: 'edge', paint: (s, p) => line(s, p.downstream, 'solid', 3) },
  { text: 'legendWait', selector: 'edge.kind-wait', swatch: 'edge', paint: (s, p) => line(s, p.edge, 'solid', 2) },
  { text: 'legendHolds', selector: 'edge.kind-holds', swatch: 'edge', paint: (s, p) => line(s, p.edge, 'dotted', 2) },
  { text: 'legendRequests', selector: 'edge.kind-requests', swatch: 'edge', paint: (s, p) => line(s, p.edge, 'dashed', 2) },
];

function box(swatch: HTMLElement, fill: string, border: string, style: string, width: number, opacity = 1): void {
  swatch.style.background = fill;
  swatch.style.border = `${width}px ${style} ${border}`;
  swatch.style.opacity = String(opacity);
}

function line(swatch: HTMLElement, color: string, style: string, width: number): void {
  swatch.style.background = 'transparent';
  swatch.style.border = 'none';
  swatch.style.borderTop = `${width}px ${style} ${color}`;
}

export interface Legend {
  root: HTMLDetailsElement;
  repaint(palette: Palette): void;
  /** Shows only the rows whose selector matches something in the graph. */
  filter(matches: (selector: string) => boolean): void;
}

export function buildLegend(strings: WebviewStrings): Legend {
  const rows = LEGEND.map((entry) => {
    const swatch = element('span', { className: `swatch swatch-${entry.swatch}`, attributes: { 'aria-hidden': 'true' } });
    return { entry, swatch, row: element('li', {}, [swatch, element('span', { text: strings[entry.text] })]) };
  });
  const root = element('details', { className: 'legend' }, [
    element('summary', { text: strings.legend }),
    element('ul', {}, rows.map((row) => row.row)),
    element('p', { className: 'help', text: strings.keyboardHelp }),
  ]);
  root.open = true;
  return {
    root,
    repaint(palette) {
      for (const row of rows) row.entry.paint(row.swatch, palette);
    },
    filter(matches) {
      for (const row of rows) row.row.hidden = row.entry.selector !== undefined && !matches(row.entry.selector);
    },
  };
}

export interface Tooltip {
  root: HTMLElement;
  show(lines: Array<[string, string] | string>, x: number, y: number): void;
  hide(): void;
}

export function buildTooltip(): Tooltip {
  const root = element('div', { className: 'tooltip', attributes: { role: 'tooltip' } });
  root.hidden = true;
  return {
    root,
    show(lines, x, y) {
      root.replaceChildren(
        ...lines.map((line) =>
          typeof line === 'string'
            ? element('div', { className: 'title', text: line })
            : element('div', {}, [element('span', { className: 'key', text: `${line[0]}: ` }), element('span', { text: line[1] })]),
        ),
      );
      root.hidden = false;
      const parent = root.parentElement?.getBoundingClientRect();
      const width = root.offsetWidth;
      const height = root.offsetHeight;
      const maxX = (parent?.width ?? window.innerWidth) - width - 8;
      const maxY = (parent?.height ?? window.innerHeight) - height - 8;
      root.style.left = `${Math.max(4, Math.min(x + 14, maxX))}px`;
      root.style.top = `${Math.max(4, Math.min(y + 14, maxY))}px`;
    },
    hide() {
      root.hidden = true;
    },
  };
}
