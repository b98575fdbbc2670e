/**
 * Graph colours from VS Code's theme. VS Code sets `--vscode-*` CSS variables on the webview's
 * `<html>` element and a `vscode-light`, `vscode-dark` or `vscode-high-contrast` class on
 * `<body>`. Both change when the user switches themes, so `watchTheme` observes them.
 */
import type cytoscape from 'cytoscape';

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface Palette {
  kind: ThemeKind;
  background: string;
  foreground: string;
  muted: string;
  nodeFill: string;
  nodeBorder: string;
  error: string;
  errorFill: string;
  warning: string;
  info: string;
  success: string;
  focus: string;
  upstream: string;
  downstream: string;
  match: string;
  edge: string;
  fontFamily: string;
  fontSize: number;
}

/** Variable names tried in order for each colour, with a last-resort value per theme kind. */
const SOURCES: Record<
  Exclude<keyof Palette, 'kind' | 'fontFamily' | 'fontSize' | 'errorFill'>,
  { variables: string[]; light: string; dark: string }
> = {
  background: { variables: ['--vscode-editor-background'], light: '#ffffff', dark: '#1e1e1e' },
  foreground: { variables: ['--vscode-editor-foreground', '--vscode-foreground'], light: '#333333', dark: '#cccccc' },
  muted: { variables: ['--vscode-disabledForeground', '--vscode-descriptionForeground'], light: '#8a8a8a', dark: '#8b8b8b' },
  nodeFill: {
    variables: ['--vscode-editorWidget-background', '--vscode-sideBar-background'],
    light: '#f3f3f3',
    dark: '#252526',
  },
  nodeBorder: {
    variables: ['--vscode-contrastBorder', '--vscode-editorWidget-border', '--vscode-widget-border', '--vscode-panel-border'],
    light: '#c8c8c8',
    dark: '#454545',
  },
  error: {
    variables: ['--vscode-editorError-foreground', '--vscode-errorForeground'],
    light: '#e51400',
    dark: '#f14c4c',
  },
  warning: { variables: ['--vscode-editorWarning-foreground', '--vscode-charts-yellow'], light: '#bf8803', dark: '#cca700' },
  info: { variables: ['--vscode-editorInfo-foreground', '--vscode-charts-blue'], light: '#1a85ff', dark: '#3794ff' },
  success: { variables: ['--vscode-testing-iconPassed', '--vscode-charts-green'], light: '#388a34', dark: '#89d185' },
  focus: { variables: ['--vscode-focusBorder'], light: '#0090f1', dark: '#007fd4' },
  upstream: { variables: ['--vscode-charts-purple'], light: '#652d90', dark: '#b180d7' },
  downstream: { variables: ['--vscode-charts-orange'], light: '#d18616', dark: '#d18616' },
  match: { variables: ['--vscode-editor-findMatchBorder', '--vscode-charts-blue'], light: '#1a85ff', dark: '#74b0df' },
  edge: { variables: ['--vscode-editorLineNumber-foreground', '--vscode-descriptionForeground'], light: '#6e7681', dark: '#858585' },
};

export function themeKind(body: HTMLElement): ThemeKind {
  if (body.classList.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (body.classList.contains('vscode-high-contrast')) return 'high-contrast';
  if (body.classList.contains('vscode-dark')) return 'dark';
  return 'light';
}

/**
 * Converts any CSS colour to an opaque `#rrggbb`, blending a translucent colour over
 * `background`. Cytoscape 3.35 does not parse 8-digit hex colours, which VS Code themes use.
 */
function opaque(color: string, background: [number, number, number], probe: HTMLElement): string | undefined {
  if (!color) return undefined;
  probe.style.color = '';
  probe.style.color = color;
  if (!probe.style.color) return undefined;
  const computed = getComputedStyle(probe).color;
  const match = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:[,\s/]+([\d.]+%?))?\s*\)/.exec(computed);
  if (!match) return undefined;
  let alpha = match[4] === undefined ? 1 : Number.parseFloat(match[4]);
  if (match[4]?.endsWith('%')) alpha /= 100;
  const channels = [1, 2, 3].map((i, index) =>
    Math.round(Number(match[i]) * alpha + background[index] * (1 - alpha)),
  );
  return `#${channels.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

function rgb(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

/** Mixes two `#rrggbb` colours; `weight` is the share of the first. */
export function mix(first: string, second: string, weight: number): string {
  const a = rgb(first);
  const b = rgb(second);
  return `#${a.map((c, i) => Math.round(c * weight + b[i] * (1 - weight)).toString(16).padStart(2, '0')).join('')}`;
}

export function readPalette(document: Document): Palette {
  const body = document.body;
  const kind = themeKind(body);
  const dark = kind === 'dark' || kind === 'high-contrast';
  const style = getComputedStyle(document.documentElement);
  const bodyStyle = getComputedStyle(body);
  const read = (name: string): string => (style.getPropertyValue(name) || bodyStyle.getPropertyValue(name)).trim();

  const probe = document.createElement('span');
  probe.hidden = true;
  body.appendChild(probe);
  try {
    const fallbackBackground = dark ? '#1e1e1e' : '#ffffff';
    const background =
      opaque(read('--vscode-editor-background'), rgb(fallbackBackground), probe) ?? (kind === 'high-contrast' ? '#000000' : fallbackBackground);
    const base = rgb(background);
    const palette = { kind } as Palette;
    for (const [key, source] of Object.entries(SOURCES) as Array<[keyof typeof SOURCES, (typeof SOURCES)[keyof typeof SOURCES]]>) {
      let value: string | undefined;
      for (const variable of source.variables) {
        value = opaque(read(variable), base, probe);
        if (value) break;
      }
      palette[key] = value ?? (dark ? source.dark : source.light);
    }
    palette.background = background;
    palette.errorFill = mix(palette.error, background, kind.startsWith('high-contrast') ? 0.3 : 0.16);
    palette.fontFamily = read('--vscode-font-family') || 'sans-serif';
    palette.fontSize = Number.parseFloat(read('--vscode-font-size')) || 13;
    return palette;
  } finally {
    probe.remove();
  }
}

/** Calls `onChange` after the theme classes or variables change, at most once per frame. */
export function watchTheme(document: Document, onChange: () => void): MutationObserver {
  let scheduled = false;
  const observer = new MutationObserver(() => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      onChange();
    });
  });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  observer.observe(document.body, { attributes: true, attributeFilter: ['style', 'class'] });
  return observer;
}

/**
 * Builds the Cytoscape stylesheet. Every mark differs by more than colour (border style,
 * width, shape or opacity), so it stays readable in high-contrast themes and for readers
 * who do not tell the colours apart.
 */
export function graphStylesheet(palette: Palette, large: boolean): cytoscape.StylesheetJson {
  const highContrast = palette.kind.startsWith('high-contrast');
  const borderWidth = highContrast ? 2 : 1;
  return [
    {
      selector: 'node',
      style: {
        shape: 'round-rectangle',
        width: 'data(width)',
        height: 36,
        'background-color': palette.nodeFill,
        'border-color': palette.nodeBorder,
        'border-width': borderWidth,
        label: 'data(display)',
        color: palette.foreground,
        'font-family': palette.fontFamily,
        'font-size': palette.fontSize,
        'text-valign': 'center',
        'text-halign': 'center',
        'text-wrap': 'ellipsis',
        'text-max-width': 'data(textWidth)',
        'min-zoomed-font-size': large ? 9 : 6,
      },
    },
    {
      // Calls get room for their live age from the start, so a layout never has to change sizes.
      selector: 'node.multiline, node.kind-call',
      style: { 'text-wrap': 'wrap', height: 46 },
    },
    {
      selector: 'node.status-done',
      style: { 'border-color': palette.success, 'border-width': borderWidth + 1 },
    },
    {
      selector: 'node.status-failed',
      style: { 'border-color': palette.error, 'border-width': borderWidth + 1, 'border-style': 'dotted' },
    },
    {
      selector: 'node.running',
      style: { 'border-color': palette.info, 'border-width': 3 },
    },
    {
      selector: 'node.near-timeout',
      style: { 'border-color': palette.warning, 'border-width': 4, 'background-color': mix(palette.warning, palette.background, 0.18) },
    },
    {
      selector: 'node.over-timeout, node.timed-out',
      style: { 'border-color': palette.error, 'border-width': 4, 'border-style': 'double', 'background-color': palette.errorFill },
    },
    {
      selector: 'node.killed',
      style: {
        'border-color': palette.error,
        'border-width': 4,
        'border-style': 'double',
        shape: 'cut-rectangle',
        'background-color': palette.errorFill,
      },
    },
    {
      selector: 'node.stranded',
      style: { 'border-color': palette.warning, 'border-style': 'dashed', 'border-width': 2, opacity: 0.7 },
    },
    {
      selector: 'node.blocked',
      style: {
        opacity: 0.6,
        'background-opacity': 0.4,
        'border-style': 'dotted',
        'border-width': 2,
        'border-color': palette.muted,
        color: palette.foreground,
      },
    },
    {
      selector: 'node.missing',
      style: {
        'background-opacity': 0,
        'border-style': 'dashed',
        'border-width': 2,
        'border-color': palette.muted,
        color: palette.muted,
        'font-style': 'italic',
      },
    },
    {
      selector: 'node.cycle',
      style: { 'border-color': palette.error, 'border-width': 3, 'background-color': palette.errorFill, color: palette.foreground },
    },
    {
      selector: 'node.lock-inversion',
      style: { 'outline-color': palette.warning, 'outline-width': 3, 'outline-offset': 3, 'outline-style': 'dashed' },
    },
    {
      selector: 'node.component',
      style: {
        shape: 'round-rectangle',
        'background-color': palette.errorFill,
        'background-opacity': 0.35,
        'border-color': palette.error,
        'border-style': 'dashed',
        'border-width': 2,
        label: 'data(display)',
        'text-valign': 'top',
        'text-halign': 'center',
        'text-margin-y': -4,
        color: palette.error,
        'font-weight': 'bold',
        padding: '14px',
      },
    },
    {
      selector: 'node.component-box',
      style: {
        width: 'data(width)',
        height: 'data(boxHeight)',
        events: 'no',
        'background-opacity': 0.25,
        'z-index': 0,
      },
    },
    {
      selector: 'node.condensed',
      style: {
        shape: 'octagon',
        'background-color': palette.errorFill,
        'border-color': palette.error,
        'border-width': 3,
        'border-style': 'double',
        height: 48,
        'text-wrap': 'wrap',
      },
    },
    {
      selector: 'edge',
      style: {
        width: highContrast ? 2 : 1.5,
        'line-color': palette.edge,
        'target-arrow-color': palette.edge,
        'target-arrow-shape': 'triangle',
        'arrow-scale': 0.9,
        // Haystack edges skip control points, endpoints and arrowheads, which dominated the
        // first paint of large graphs. There the layers already show the direction, and the
        // edges on cycles below keep their arrowheads.
        'curve-style': large ? 'haystack' : 'bezier',
        'haystack-radius': 0,
        opacity: 0.85,
      },
    },
    {
      selector: 'edge.to-missing',
      style: { 'line-style': 'dashed', 'line-color': palette.muted, 'target-arrow-color': palette.muted },
    },
    {
      selector: 'edge.kind-holds',
      style: { 'line-style': 'dotted', 'target-arrow-shape': 'circle' },
    },
    {
      selector: 'edge.kind-requests',
      style: { 'line-style': 'dashed', 'target-arrow-shape': 'vee' },
    },
    {
      selector: 'edge.on-cycle',
      style: {
        'line-color': palette.error,
        'target-arrow-color': palette.error,
        width: highContrast ? 3 : 2.5,
        opacity: 1,
        'curve-style': large ? 'straight' : 'bezier',
      },
    },
    {
      selector: '.faded',
      style: { opacity: 0.15 },
    },
    {
      selector: 'node.upstream',
      style: { 'underlay-color': palette.upstream, 'underlay-opacity': 0.35, 'underlay-padding': 6, opacity: 1 },
    },
    {
      selector: 'node.downstream',
      style: { 'underlay-color': palette.downstream, 'underlay-opacity': 0.35, 'underlay-padding': 6, opacity: 1 },
    },
    {
      selector: 'edge.upstream',
      style: { 'line-color': palette.upstream, 'target-arrow-color': palette.upstream, opacity: 1, width: 2.5 },
    },
    {
      selector: 'edge.downstream',
      style: { 'line-color': palette.downstream, 'target-arrow-color': palette.downstream, opacity: 1, width: 2.5 },
    },
    {
      selector: 'node.match',
      style: { 'underlay-color': palette.match, 'underlay-opacity': 0.5, 'underlay-padding': 8, opacity: 1, 'font-weight': 'bold' },
    },
    {
      selector: '.cycle-path',
      style: {
        'line-color': palette.error,
        'target-arrow-color': palette.error,
        'border-color': palette.error,
        width: 5,
        'border-width': 5,
        opacity: 1,
        'z-index': 20,
      },
    },
    {
      selector: 'node:selected',
      style: { 'overlay-color': palette.focus, 'overlay-opacity': 0.25, 'overlay-padding': 6 },
    },
    {
      selector: 'edge:selected',
      style: { 'overlay-color': palette.focus, 'overlay-opacity': 0.3, 'overlay-padding': 4 },
    },
  ];
}
