/**
 * The Cytoscape view of one graph model: rendering, layouts, highlighting, search, cycle
 * navigation, live ages, keyboard access and export.
 */
import cytoscape from 'cytoscape';
import cytoscapeSvg from 'cytoscape-svg';

import type { GraphModel } from '../src/shared/graphModel';
import {
  formatString,
  type CallAge,
  type LayoutName,
  type ViewOptions,
  type ViewState,
  type WebviewMessage,
  type WebviewStrings,
} from '../src/shared/protocol';
import { buildViewGraph, stageLayers, statusClass, type ViewGraph, type ViewNode } from './elements';
import type { LayoutEngine } from './layoutEngine';
import { graphStylesheet, readPalette, type Palette } from './theme';
import { buildLegend, buildToolbar, buildTooltip, type Legend, type Toolbar, type Tooltip } from './ui';

cytoscape.use(cytoscapeSvg);

/** Above this many drawn nodes the viewport options that skip edges and labels while panning are on. */
const LARGE_GRAPH_NODES = 800;
/** Share of its timeout after which a running call is drawn as near its timeout. */
const NEAR_TIMEOUT_FRACTION = 0.75;
const MAX_FIT_ZOOM = 1.2;
/** Below this zoom labels are hidden, so a first view that needs less shows a part instead. */
const READABLE_ZOOM = 0.75;

interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** Bounding box of the leaves that match, from known positions, or undefined when none match. */
function boundsOf(graph: ViewGraph, positions: Float64Array, include: (leaf: ViewNode) => boolean): Bounds | undefined {
  let box: Bounds | undefined;
  graph.leaves.forEach((leaf, index) => {
    if (!include(leaf)) return;
    const x = positions[2 * index];
    const y = positions[2 * index + 1];
    box ??= { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
    box.minX = Math.min(box.minX, x - leaf.width / 2);
    box.maxX = Math.max(box.maxX, x + leaf.width / 2);
    box.minY = Math.min(box.minY, y - FIT_NODE_HALF_HEIGHT);
    box.maxY = Math.max(box.maxY, y + FIT_NODE_HALF_HEIGHT);
  });
  return box;
}
/** Half a node's height plus room for a compound parent's title, in graph units. */
const FIT_NODE_HALF_HEIGHT = 40;
/** The legend starts open only in panels at least this wide, so it does not hide a narrow graph. */
const LEGEND_OPEN_MIN_WIDTH = 900;
const AGE_CLASSES = 'running near-timeout over-timeout timed-out killed status-done status-failed status-running status-pending status-timeout status-killed status-stranded stranded';
const AGE_CLASS_SET = new Set(AGE_CLASSES.split(' '));
const SEARCH_CLASSES = 'match upstream downstream faded';

export interface RenderTimings {
  layout: LayoutName;
  nodes: number;
  edges: number;
  layoutMs: number;
  cytoscapeMs: number;
  totalMs: number;
}

export interface GraphViewChrome {
  container: HTMLElement;
  toolbarHost: HTMLElement;
  legendHost: HTMLElement;
  noticeHost: HTMLElement;
}

export class GraphView {
  cy: cytoscape.Core | undefined;
  lastRender: RenderTimings | undefined;

  private model: GraphModel;
  private viewGraph: ViewGraph | undefined;
  private palette: Palette;
  private layoutName: LayoutName;
  private readonly expanded = new Set<number>();
  private readonly ages = new Map<string, CallAge>();
  private agesNow = 0;
  private cycleIndex = -1;
  private searchText = '';
  private renderToken = 0;
  private requestId = 0;
  private stateTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly toolbar: Toolbar;
  private readonly legend: Legend;
  private readonly tooltip: Tooltip;

  constructor(
    private readonly chrome: GraphViewChrome,
    model: GraphModel,
    private readonly strings: WebviewStrings,
    private readonly options: ViewOptions,
    private state: ViewState,
    private readonly layouts: LayoutEngine,
    private readonly post: (message: WebviewMessage) => void,
    private readonly saveState: (state: ViewState) => void,
  ) {
    this.model = model;
    this.palette = readPalette(document);
    this.layoutName = this.pickLayout(state.layout);
    for (const id of state.expandedComponents ?? []) this.expanded.add(id);
    this.searchText = state.search ?? '';

    this.toolbar = buildToolbar(strings, {
      fit: () => this.fit(),
      zoom: (factor) => this.zoomBy(factor),
      layout: (name) => void this.switchLayout(name),
      cycle: (step) => this.stepCycle(step),
      search: (text) => this.search(text),
      exportImage: (format) => this.exportImage(format),
      copyText: (format) => this.post({ type: 'copyText', format }),
      collapseAll: () => {
        this.expanded.clear();
        void this.render(false);
      },
    });
    this.toolbar.searchInput.value = this.searchText;
    this.legend = buildLegend(strings);
    this.legend.repaint(this.palette);
    this.legend.root.open = chrome.container.clientWidth >= LEGEND_OPEN_MIN_WIDTH;
    this.tooltip = buildTooltip();
    chrome.toolbarHost.replaceChildren(this.toolbar.root);
    chrome.legendHost.replaceChildren(this.legend.root);
    chrome.container.parentElement?.append(this.tooltip.root);
    this.installKeyboard();
  }

  /** Draws the current model. With `keepViewport`, zoom, pan and selection survive the redraw. */
  async render(keepViewport: boolean): Promise<RenderTimings | undefined> {
    const token = ++this.renderToken;
    const started = performance.now();
    const model = this.model;
    const condense = model.nodes.length > this.options.condenseThreshold;
    const condensedSet = new Set<number>();
    if (condense) {
      for (const component of model.components) if (!this.expanded.has(component.id)) condensedSet.add(component.id);
    }
    // Boxes need known positions, so they are used only with the worker layouts.
    const boxes =
      model.nodes.length > LARGE_GRAPH_NODES && (this.layoutName === 'layered' || this.layoutName === 'force');
    const graph = buildViewGraph(model, condensedSet, this.strings, boxes);
    this.updateLayoutChoices(graph);

    let positions: Float64Array | undefined;
    const layoutStarted = performance.now();
    if (this.layoutName === 'layered' || this.layoutName === 'force') {
      try {
        positions = await this.computePositions(graph, this.layoutName, model);
      } catch (error) {
        this.showNotice(formatString(this.strings.layoutFailed, String(error)));
        this.post({ type: 'error', message: `Layout ${this.layoutName} failed: ${String(error)}` });
      }
      if (token !== this.renderToken) return undefined;
    }
    const layoutMs = performance.now() - layoutStarted;

    const cytoscapeStarted = performance.now();
    const elements = this.elementsFor(graph, positions);
    const large = graph.leaves.length > LARGE_GRAPH_NODES;
    const previous = this.cy && keepViewport ? { zoom: this.cy.zoom(), pan: { ...this.cy.pan() } } : undefined;
    const selectedId = this.selectedModelId() ?? this.state.selectedId;

    // An edit with known positions and the same drawing of components updates the drawn
    // elements in place, which skips Cytoscape's initialisation. Anything else rebuilds.
    const reuse = keepViewport && this.cy !== undefined && positions !== undefined && this.viewGraph?.boxes === graph.boxes;
    let cy: cytoscape.Core;
    if (reuse) {
      cy = this.cy!;
      this.patchElements(cy, elements);
      this.viewGraph = graph;
    } else {
      if (this.cy) this.cy.destroy();
      cy = cytoscape({
        container: this.chrome.container,
        elements,
        style: graphStylesheet(this.palette, large),
        layout: { name: 'preset', fit: false },
        minZoom: 0.02,
        maxZoom: 4,
        // Dragging a node would leave its component's box behind.
        autoungrabify: graph.boxes,
        boxSelectionEnabled: false,
        selectionType: 'single',
        hideEdgesOnViewport: large,
        textureOnViewport: large,
        motionBlur: false,
        pixelRatio: large ? 1 : 'auto',
      });
      this.cy = cy;
      this.viewGraph = graph;
      this.installEvents(cy);
    }

    if (!positions) {
      cy.layout(this.stockLayoutOptions(this.layoutName, graph)).run();
    }

    const restoreViewport = previous ?? (this.state.zoom !== undefined && this.state.pan ? { zoom: this.state.zoom, pan: this.state.pan } : undefined);
    if (restoreViewport && (keepViewport || this.lastRender === undefined)) cy.viewport(restoreViewport);
    else if (positions) this.fitToPositions(graph, positions);
    else this.fit();

    if (selectedId !== undefined) this.selectModelNode(selectedId, false);
    if (this.ages.size > 0) this.applyAges(this.agesNow, [...this.ages.values()]);
    if (this.searchText) this.search(this.searchText, false);

    let notice = '';
    if (model.nodes.length === 0) notice = this.strings.emptyGraph;
    else if (graph.condensed.size > 0) notice = this.strings.condensedNotice;
    this.showNotice(notice);
    this.toolbar.collapseButton.hidden = !(condense && this.expanded.size > 0);
    this.updateCycleStatus();
    this.legend.filter((selector) => selectorMatchesClasses(selector, presentClasses(graph)));
    const cytoscapeMs = performance.now() - cytoscapeStarted;

    this.lastRender = {
      layout: this.layoutName,
      nodes: graph.leaves.length,
      edges: graph.edges.length,
      layoutMs,
      cytoscapeMs,
      totalMs: performance.now() - started,
    };
    this.scheduleStateSave();
    document.dispatchEvent(new CustomEvent('agent-deadlock:rendered', { detail: this.lastRender }));
    return this.lastRender;
  }

  /** Replaces the model after an edit, keeping zoom, pan and selection. */
  async update(model: GraphModel): Promise<void> {
    this.model = model;
    await this.render(true);
  }

  /** Rereads the theme's colours and restyles the graph and the legend. */
  restyle(): void {
    this.palette = readPalette(document);
    this.legend.repaint(this.palette);
    this.cy?.style(graphStylesheet(this.palette, (this.viewGraph?.leaves.length ?? 0) > LARGE_GRAPH_NODES));
  }

  /** Applies live call ages: the age is shown under the label and the colour follows the share of the timeout used. */
  applyAges(now: number, calls: CallAge[]): void {
    this.agesNow = now;
    const cy = this.cy;
    const graph = this.viewGraph;
    for (const call of calls) this.ages.set(call.id, call);
    if (!cy || !graph) return;
    cy.batch(() => {
      for (const call of calls) {
        const viewId = graph.viewIdOfModel.get(call.id);
        if (viewId === undefined) continue;
        const element = cy.getElementById(viewId);
        if (element.empty() || element.hasClass('condensed')) continue;
        const ageMs = Math.max(0, now - call.startedAt);
        const classes = statusClass(call.status).filter((name) => AGE_CLASS_SET.has(name));
        if (call.status === 'running' && call.timeoutMs !== undefined && call.timeoutMs > 0) {
          const fraction = ageMs / call.timeoutMs;
          if (fraction >= 1) classes.push('over-timeout');
          else if (fraction >= NEAR_TIMEOUT_FRACTION) classes.push('near-timeout');
        }
        // Class and label changes each cost a style pass, so unchanged ones are skipped.
        const classKey = classes.join(' ');
        if (element.scratch('_ageClasses') !== classKey) {
          element.removeClass(AGE_CLASSES).addClass(`${classKey} multiline`);
          element.scratch('_ageClasses', classKey);
        }
        const ageText =
          call.timeoutMs !== undefined
            ? formatString(this.strings.ageOfTimeout, formatDuration(ageMs), formatDuration(call.timeoutMs))
            : formatString(this.strings.age, formatDuration(ageMs));
        const display = `${element.data('label') as string}\n${ageText}`;
        if (element.data('display') !== display) element.data('display', display);
      }
    });
  }

  /** Selects the node drawn for a model id. With `center`, the view moves to it; otherwise only when it is off screen. */
  selectModelNode(modelId: string, center: boolean): boolean {
    const cy = this.cy;
    const viewId = this.viewGraph?.viewIdOfModel.get(modelId);
    if (!cy || viewId === undefined) return false;
    const element = cy.getElementById(viewId);
    if (element.empty()) return false;
    cy.elements(':selected').unselect();
    element.select();
    const extent = cy.extent();
    const position = element.position();
    const visible = position.x > extent.x1 && position.x < extent.x2 && position.y > extent.y1 && position.y < extent.y2;
    if (center || !visible) {
      if (cy.zoom() < 0.5) cy.zoom(0.8);
      cy.center(element);
    }
    return true;
  }

  /** Filters by id or tool. Matches are marked, their dependencies (upstream) and dependents (downstream) highlighted, the rest faded. */
  search(text: string, fitToMatches = true): number {
    this.searchText = text;
    const cy = this.cy;
    if (!cy) return 0;
    const needle = text.trim().toLowerCase();
    let count = 0;
    cy.batch(() => {
      cy.elements().removeClass(SEARCH_CLASSES);
      if (!needle) return;
      const matches = cy.nodes().filter((node) => {
        if (!node.data('node')) return false;
        const modelId = String(node.data('modelId')).toLowerCase();
        const tool = String(node.data('tool') ?? '').toLowerCase();
        return modelId.includes(needle) || tool.includes(needle) || String(node.data('label')).toLowerCase().includes(needle);
      });
      count = matches.length;
      if (count === 0) return;
      const upstream = matches.successors();
      const downstream = matches.predecessors();
      cy.elements().addClass('faded');
      upstream.removeClass('faded').addClass('upstream');
      downstream.removeClass('faded').addClass('downstream');
      matches.removeClass('faded upstream downstream').addClass('match');
      matches.union(upstream).union(downstream).parents().removeClass('faded');
    });
    this.toolbar.searchStatus.textContent = needle
      ? count === 0
        ? this.strings.searchNoMatch
        : formatString(this.strings.searchMatches, count)
      : '';
    if (fitToMatches && count > 0) {
      cy.fit(cy.nodes('.match'), 60);
      if (cy.zoom() > 1.5) {
        cy.zoom(1.5);
        cy.center(cy.nodes('.match'));
      }
    }
    this.scheduleStateSave();
    return count;
  }

  /** Moves to the next (1) or previous (-1) strongly connected component. */
  stepCycle(step: 1 | -1): void {
    const cy = this.cy;
    const components = this.model.components;
    if (!cy || components.length === 0) {
      this.toolbar.cycleStatus.textContent = this.strings.noCycles;
      return;
    }
    this.cycleIndex = (this.cycleIndex + step + components.length) % components.length;
    const component = components[this.cycleIndex];
    const target = cy.getElementById(`c${component.id}`);
    if (target.nonempty()) {
      cy.elements(':selected').unselect();
      // A box's selection overlay would cover the cycle's edges, so only compound groups are selected.
      if (!target.hasClass('component-box')) target.select();
      cy.fit(target.union(target.children()), 60);
      if (cy.zoom() > 1.5) {
        cy.zoom(1.5);
        cy.center(target);
      }
    }
    this.updateCycleStatus();
  }

  /**
   * Fits the view to layout positions already known. `cy.fit` would compute every element's
   * bounding box, labels included, which took most of the first render of 5,000 steps.
   */
  private fitToPositions(graph: ViewGraph, positions: Float64Array): void {
    const cy = this.cy;
    if (!cy || graph.leaves.length === 0) return;
    // There is at least one leaf, so the box of all leaves exists.
    const all = boundsOf(graph, positions, () => true)!;
    const padding = 30;
    const width = Math.max(1, cy.width() - 2 * padding);
    const height = Math.max(1, cy.height() - 2 * padding);
    const fitZoom = (box: Bounds) => Math.max(cy.minZoom(), Math.min(MAX_FIT_ZOOM, width / (box.maxX - box.minX), height / (box.maxY - box.minY)));
    const zoom = fitZoom(all);
    if (zoom >= READABLE_ZOOM) {
      cy.viewport({ zoom, pan: { x: cy.width() / 2 - zoom * (all.minX + all.maxX) / 2, y: cy.height() / 2 - zoom * (all.minY + all.maxY) / 2 } });
      return;
    }

    // The whole graph would be too small to read. Open on what matters first: the cycles if
    // there are any, otherwise the first stages, at a zoom where labels show. Fit shows all.
    const cycles = boundsOf(graph, positions, (leaf) => leaf.node?.status === 'cycle');
    const focus = cycles ?? all;
    const focusZoom = Math.max(READABLE_ZOOM, fitZoom(focus));
    const fits = (focus.maxY - focus.minY) * focusZoom <= height;
    const centreY = fits ? cy.height() / 2 - focusZoom * (focus.minY + focus.maxY) / 2 : padding - focusZoom * focus.minY;
    cy.viewport({ zoom: focusZoom, pan: { x: cy.width() / 2 - focusZoom * (focus.minX + focus.maxX) / 2, y: centreY } });
  }

  /** Fits the whole graph, but never magnifies a small graph beyond 1.2 times. */
  fit(): void {
    const cy = this.cy;
    if (!cy) return;
    cy.fit(undefined, 30);
    if (cy.zoom() > MAX_FIT_ZOOM) {
      cy.zoom(MAX_FIT_ZOOM);
      cy.center();
    }
  }

  zoomBy(factor: number): void {
    const cy = this.cy;
    if (!cy) return;
    cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
  }

  async switchLayout(name: LayoutName): Promise<void> {
    this.layoutName = this.pickLayout(name);
    await this.render(false);
  }

  /** Renders the whole graph as PNG or SVG and posts it to the host, which shows a save dialog. */
  exportImage(format: 'png' | 'svg'): void {
    const cy = this.cy;
    if (!cy) return;
    try {
      if (format === 'png') {
        const large = cy.nodes().length > 2000;
        const data = cy.png({ output: 'base64uri', full: true, bg: this.palette.background, scale: large ? 1 : 2, maxWidth: 16000, maxHeight: 16000 });
        this.post({ type: 'exportImage', format, data });
      } else {
        const data = (cy as unknown as { svg(options: object): string }).svg({ full: true, bg: this.palette.background, scale: 1 });
        this.post({ type: 'exportImage', format, data });
      }
    } catch (error) {
      this.post({ type: 'error', message: `Export as ${format.toUpperCase()} failed: ${String(error)}` });
    }
  }

  /** Expands a condensed component into its members. */
  async expandComponent(component: number): Promise<void> {
    this.expanded.add(component);
    await this.render(false);
    const cy = this.cy;
    const parent = cy?.getElementById(`c${component}`);
    if (cy && parent && parent.nonempty()) cy.fit(parent.union(parent.children()), 60);
  }

  currentState(): ViewState {
    const cy = this.cy;
    const state: ViewState = { documentUri: this.state.documentUri, layout: this.layoutName };
    if (cy) {
      state.zoom = cy.zoom();
      state.pan = { ...cy.pan() };
    }
    const selected = this.selectedModelId();
    if (selected !== undefined) state.selectedId = selected;
    if (this.expanded.size > 0) state.expandedComponents = [...this.expanded];
    if (this.searchText) state.search = this.searchText;
    return state;
  }

  private selectedModelId(): string | undefined {
    const selected = this.cy?.nodes(':selected');
    if (!selected || selected.empty()) return undefined;
    const node = selected.first();
    return node.data('node') ? String(node.data('modelId')) : undefined;
  }

  /**
   * Returns the requested layout when it is offered, otherwise the layered one for every kind
   * of graph. Layers read well for a wait-for graph too, because each wait points up to what
   * it waits for, and known positions let the first view fit at a zoom where labels show.
   */
  private pickLayout(requested: LayoutName | undefined): LayoutName {
    const available = this.availableLayouts(this.model.nodes.length);
    if (requested && available.includes(requested)) return requested;
    return 'layered';
  }

  private availableLayouts(nodeCount: number): LayoutName[] {
    const layouts: LayoutName[] = ['layered', 'force'];
    if (nodeCount <= this.options.stockLayoutMaxNodes) layouts.push('cose', 'breadthfirst', 'circle', 'grid');
    return layouts;
  }

  private updateLayoutChoices(graph: ViewGraph): void {
    const available = this.availableLayouts(graph.leaves.length);
    if (!available.includes(this.layoutName)) this.layoutName = 'layered';
    this.toolbar.setLayouts(available, this.layoutName);
  }

  private async computePositions(graph: ViewGraph, algorithm: 'layered' | 'force', model: GraphModel): Promise<Float64Array> {
    const indexOf = new Map<string, number>();
    graph.leaves.forEach((leaf, index) => indexOf.set(leaf.id, index));
    const sources: number[] = [];
    const targets: number[] = [];
    for (const edge of graph.edges) {
      const source = indexOf.get(edge.source);
      const target = indexOf.get(edge.target);
      if (source !== undefined && target !== undefined) {
        sources.push(source);
        targets.push(target);
      }
    }
    const widths = new Float32Array(graph.leaves.map((leaf) => leaf.width));
    const layers = algorithm === 'layered' ? stageLayers(model, graph) : undefined;
    const result = await this.layouts.run({
      requestId: ++this.requestId,
      algorithm,
      nodeCount: graph.leaves.length,
      sources: Int32Array.from(sources),
      targets: Int32Array.from(targets),
      widths,
      ...(layers ? { layers } : {}),
    });
    return result.positions;
  }

  private elementsFor(graph: ViewGraph, positions: Float64Array | undefined): cytoscape.ElementDefinition[] {
    const positionOf = new Map<string, number>();
    graph.leaves.forEach((leaf, index) => positionOf.set(leaf.id, index));
    const elements: cytoscape.ElementDefinition[] = [];
    for (const node of graph.nodes) {
      const data: Record<string, unknown> = {
        id: node.id,
        modelId: node.modelId,
        label: node.label,
        display: node.display,
        width: node.width,
        textWidth: node.textWidth,
      };
      if (node.parent) data.parent = node.parent;
      if (node.node) {
        data.node = true;
        if (node.node.tool !== undefined) data.tool = node.node.tool;
      }
      if (node.component !== undefined) data.component = node.component;
      const definition: cytoscape.ElementDefinition = { group: 'nodes', data: data as cytoscape.NodeDataDefinition, classes: node.classes.join(' ') };
      const index = positionOf.get(node.id);
      if (positions && index !== undefined) definition.position = { x: positions[2 * index], y: positions[2 * index + 1] };
      elements.push(definition);
    }
    if (graph.boxes && positions) this.placeBoxes(graph, positions, elements);
    for (const edge of graph.edges) {
      elements.push({
        group: 'edges',
        data: { id: edge.id, source: edge.source, target: edge.target, modelIndex: edge.modelIndex },
        classes: edge.classes.join(' '),
      });
    }
    return elements;
  }

  /**
   * Brings the drawn elements in line with `elements`: removes what is gone or changed its
   * parent or endpoints, updates data, classes and positions of the rest, and adds the new.
   */
  private patchElements(cy: cytoscape.Core, elements: cytoscape.ElementDefinition[]): void {
    const wanted = new Map<string, cytoscape.ElementDefinition>();
    for (const definition of elements) wanted.set(String(definition.data.id), definition);
    cy.batch(() => {
      cy.elements().forEach((element) => {
        const definition = wanted.get(element.id());
        const data = definition?.data;
        const moved =
          data === undefined ||
          (element.isNode() && (element.data('parent') ?? undefined) !== (data.parent ?? undefined)) ||
          (element.isEdge() && (element.data('source') !== data.source || element.data('target') !== data.target));
        if (moved) element.remove();
      });
      const added: cytoscape.ElementDefinition[] = [];
      for (const definition of elements) {
        const element = cy.getElementById(String(definition.data.id));
        if (element.empty() || element.removed()) {
          added.push(definition);
          continue;
        }
        // Each change costs a style pass of the element, so only differences are written. Ids,
        // parents and endpoints cannot change through data(), and they matched above.
        const { id: _id, parent: _parent, source: _source, target: _target, ...data } = definition.data as Record<string, unknown>;
        const changed: Record<string, unknown> = {};
        let dataChanged = false;
        for (const [key, value] of Object.entries(data)) {
          if (element.data(key) !== value) {
            changed[key] = value;
            dataChanged = true;
          }
        }
        if (dataChanged) element.data(changed);
        const classes = String(definition.classes ?? '');
        if (element.classes().join(' ') !== classes) {
          element.classes(classes);
          element.removeScratch('_ageClasses');
        }
        const position = definition.position;
        if (position && element.isNode()) {
          const current = element.position();
          if (current.x !== position.x || current.y !== position.y) element.position(position);
        }
      }
      cy.add(added);
    });
  }

  /** Sizes and places each component's box node around its members. */
  private placeBoxes(graph: ViewGraph, positions: Float64Array, elements: cytoscape.ElementDefinition[]): void {
    const bounds = new Map<number, { minX: number; minY: number; maxX: number; maxY: number }>();
    graph.leaves.forEach((leaf, index) => {
      const component = leaf.node?.component;
      if (component === undefined) return;
      const box = bounds.get(component) ?? { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
      box.minX = Math.min(box.minX, positions[2 * index] - leaf.width / 2);
      box.maxX = Math.max(box.maxX, positions[2 * index] + leaf.width / 2);
      box.minY = Math.min(box.minY, positions[2 * index + 1] - 18);
      box.maxY = Math.max(box.maxY, positions[2 * index + 1] + 18);
      bounds.set(component, box);
    });
    for (const definition of elements) {
      const component = definition.data.component as number | undefined;
      const box = component === undefined ? undefined : bounds.get(component);
      if (!box || !String(definition.classes).includes('component-box')) continue;
      definition.position = { x: (box.minX + box.maxX) / 2, y: (box.minY + box.maxY) / 2 };
      definition.data.width = box.maxX - box.minX + 28;
      definition.data.boxHeight = box.maxY - box.minY + 28;
    }
  }

  private stockLayoutOptions(name: LayoutName, graph: ViewGraph): cytoscape.LayoutOptions {
    switch (name) {
      case 'cose':
        return {
          name: 'cose',
          animate: false,
          fit: false,
          randomize: false,
          nodeDimensionsIncludeLabels: true,
          numIter: 1000,
          idealEdgeLength: () => 80,
          nodeOverlap: 40,
          nodeRepulsion: () => 120_000,
          componentSpacing: 60,
        } as cytoscape.LayoutOptions;
      case 'breadthfirst':
        return { name: 'breadthfirst', directed: true, fit: false, spacingFactor: 1.1, animate: false };
      case 'circle':
        return { name: 'circle', fit: false, animate: false, avoidOverlap: true };
      default:
        return { name: 'grid', fit: false, animate: false, avoidOverlap: true, rows: Math.ceil(Math.sqrt(graph.leaves.length)) };
    }
  }

  private installEvents(cy: cytoscape.Core): void {
    cy.on('tap', 'node', (event) => {
      const node = event.target as cytoscape.NodeSingular;
      if (node.hasClass('condensed')) {
        void this.expandComponent(Number(node.data('component')));
        return;
      }
      if (node.data('node')) this.post({ type: 'reveal', nodeId: String(node.data('modelId')) });
      this.clearCyclePath();
    });
    cy.on('tap', 'edge', (event) => this.emphasiseCycle(event.target as cytoscape.EdgeSingular));
    cy.on('tap', (event) => {
      if (event.target === cy) this.clearCyclePath();
    });
    cy.on('mouseover', 'node, edge', (event) => {
      const lines = this.tooltipLines(event.target as cytoscape.SingularElementArgument);
      const position = event.renderedPosition ?? { x: 0, y: 0 };
      if (lines.length > 0) this.tooltip.show(lines, position.x, position.y);
    });
    cy.on('mouseout', 'node, edge', () => this.tooltip.hide());
    cy.on('viewport', () => {
      this.tooltip.hide();
      this.scheduleStateSave();
    });
    cy.on('select unselect', () => this.scheduleStateSave());
  }

  /** Marks the shortest cycle through the edge, which the model stores as node ids in order. */
  emphasiseCycle(edge: cytoscape.EdgeSingular): void {
    const cy = this.cy;
    const graph = this.viewGraph;
    this.clearCyclePath();
    if (!cy || !graph) return;
    const modelIndex = Number(edge.data('modelIndex'));
    const cycle = modelIndex >= 0 ? this.model.edges[modelIndex]?.cycle : undefined;
    if (!cycle || cycle.length === 0) return;
    const viewIds = cycle.map((id) => graph.viewIdOfModel.get(id));
    cy.batch(() => {
      for (let i = 0; i < viewIds.length; i++) {
        const from = viewIds[i];
        const to = viewIds[(i + 1) % viewIds.length];
        if (from === undefined || to === undefined) continue;
        cy.getElementById(from).addClass('cycle-path');
        cy.getElementById(from).edgesTo(cy.getElementById(to)).addClass('cycle-path');
      }
    });
  }

  private clearCyclePath(): void {
    this.cy?.elements('.cycle-path').removeClass('cycle-path');
  }

  private tooltipLines(element: cytoscape.SingularElementArgument): Array<[string, string] | string> {
    const strings = this.strings;
    if (element.isEdge()) {
      const modelIndex = Number(element.data('modelIndex'));
      const edge = modelIndex >= 0 ? this.model.edges[modelIndex] : undefined;
      if (!edge) return [];
      const lines: Array<[string, string] | string> = [`${edge.source} → ${edge.target}`];
      if (edge.label) lines.push(edge.label);
      if (edge.cycle && edge.cycle.length > 0) lines.push([strings.legendSelectedCycle, [...edge.cycle, edge.cycle[0]].join(' → ')]);
      return lines;
    }
    const viewNode = this.viewGraph?.nodes.find((node) => node.id === element.id());
    if (!viewNode) return [];
    if (!viewNode.node) return [viewNode.label];
    return this.nodeTooltip(viewNode);
  }

  private nodeTooltip(viewNode: ViewNode): Array<[string, string] | string> {
    const node = viewNode.node!;
    const strings = this.strings;
    const lines: Array<[string, string] | string> = [node.label];
    if (node.label !== node.id) lines.push(['id', node.id]);
    if (node.tool !== undefined) lines.push([strings.tool, node.tool]);
    if (node.stage !== undefined) lines.push([strings.stage, String(node.stage + 1)]); // Numbered from 1, as in the CodeLens and the CLI.
    const age = this.ages.get(node.id);
    lines.push([strings.status, statusName(strings, age?.status ?? node.status)]);
    // The reason is a full sentence from the engine, such as "Blocked by a, b".
    if (node.blockedReason !== undefined) lines.push(node.blockedReason);
    // The run's reason is a clause such as `it waits for "fetch", which failed`.
    const strandedReason = node.strandedReason?.replace(/\.$/, '');
    if (node.neverStarted) {
      lines.push(strandedReason !== undefined ? formatString(strings.neverStartedBecause, strandedReason) : strings.neverStartedNoReason);
    } else if (strandedReason !== undefined) {
      lines.push(formatString(strings.strandedBecause, strandedReason));
    }
    if (node.component !== undefined) {
      lines.push([strings.component, String(this.viewGraph?.componentNumber.get(node.component) ?? node.component)]);
    }
    if (node.lockInversion) lines.push(strings.lockInversion);
    if (age) {
      const ageMs = Math.max(0, this.agesNow - age.startedAt);
      lines.push([
        strings.status,
        age.timeoutMs !== undefined
          ? formatString(strings.ageOfTimeout, formatDuration(ageMs), formatDuration(age.timeoutMs))
          : formatString(strings.age, formatDuration(ageMs)),
      ]);
    }
    for (const detail of node.details ?? []) lines.push(detail);
    return lines;
  }

  private updateCycleStatus(): void {
    const count = this.model.components.length;
    let text = formatString(this.strings.cycleCount, count);
    if (count === 0) text = this.strings.noCycles;
    else if (this.cycleIndex >= 0) text = formatString(this.strings.cyclePosition, this.cycleIndex + 1, count);
    this.toolbar.cycleStatus.textContent = text;
  }

  private showNotice(text: string): void {
    this.chrome.noticeHost.textContent = text;
    this.chrome.noticeHost.hidden = text === '';
  }

  private scheduleStateSave(): void {
    clearTimeout(this.stateTimer);
    this.stateTimer = setTimeout(() => {
      this.state = this.currentState();
      this.saveState(this.state);
    }, 300);
  }

  /**
   * Installs keyboard access on the focused graph. Left and Right move the selection in
   * reading order, Up to a dependency and Down to a dependent. Enter reveals, + and - zoom,
   * 0 fits, n and p step through cycles, / focuses the search box and Escape clears.
   */
  private installKeyboard(): void {
    const container = this.chrome.container;
    container.tabIndex = 0;
    container.setAttribute('role', 'application');
    container.setAttribute('aria-label', this.strings.keyboardHelp);
    container.addEventListener('keydown', (event) => {
      const cy = this.cy;
      if (!cy) return;
      const selected = cy.nodes(':selected').first();
      let handled = true;
      switch (event.key) {
        case 'ArrowRight':
        case 'ArrowLeft':
          this.moveSelection(event.key === 'ArrowRight' ? 1 : -1);
          break;
        case 'ArrowUp':
          this.selectNeighbour(selected.nonempty() ? selected.outgoers('node') : cy.collection());
          break;
        case 'ArrowDown':
          this.selectNeighbour(selected.nonempty() ? selected.incomers('node') : cy.collection());
          break;
        case 'Enter':
          if (selected.nonempty() && selected.hasClass('condensed')) void this.expandComponent(Number(selected.data('component')));
          else if (selected.nonempty() && selected.data('node')) this.post({ type: 'reveal', nodeId: String(selected.data('modelId')) });
          break;
        case '+':
        case '=':
          this.zoomBy(1.25);
          break;
        case '-':
          this.zoomBy(0.8);
          break;
        case '0':
          this.fit();
          break;
        case 'n':
          this.stepCycle(1);
          break;
        case 'p':
          this.stepCycle(-1);
          break;
        case '/':
          this.toolbar.searchInput.focus();
          break;
        case 'Escape':
          cy.elements(':selected').unselect();
          this.clearCyclePath();
          break;
        default:
          handled = false;
      }
      if (handled) event.preventDefault();
    });
  }

  private moveSelection(step: 1 | -1): void {
    const cy = this.cy;
    if (!cy) return;
    const nodes = cy
      .nodes()
      .filter((node) => Boolean(node.data('node')) || node.hasClass('condensed'))
      .toArray() as cytoscape.NodeSingular[];
    nodes.sort((a, b) => a.position('y') - b.position('y') || a.position('x') - b.position('x'));
    if (nodes.length === 0) return;
    const selected = cy.nodes(':selected').first();
    const index = selected.nonempty() ? nodes.findIndex((node) => node.id() === selected.id()) : -1;
    const next = nodes[(index + step + nodes.length) % nodes.length];
    this.selectElement(next);
  }

  private selectNeighbour(candidates: cytoscape.NodeCollection): void {
    const next = candidates.filter((node) => !node.isParent()).first();
    if (next.nonempty()) this.selectElement(next as cytoscape.NodeSingular);
  }

  private selectElement(node: cytoscape.NodeSingular): void {
    const cy = this.cy!;
    cy.elements(':selected').unselect();
    node.select();
    const extent = cy.extent();
    const position = node.position();
    if (position.x < extent.x1 || position.x > extent.x2 || position.y < extent.y1 || position.y > extent.y2) cy.center(node);
    const viewNode = this.viewGraph?.nodes.find((candidate) => candidate.id === node.id());
    if (viewNode?.node) {
      const rendered = node.renderedPosition();
      this.tooltip.show(this.nodeTooltip(viewNode), rendered.x, rendered.y);
    }
  }
}

/** Returns `group.class` for every class on a drawn node or edge, such as `node.cycle`. */
function presentClasses(graph: ViewGraph): Set<string> {
  const present = new Set<string>();
  for (const node of graph.nodes) for (const name of node.classes) present.add(`node.${name}`);
  for (const edge of graph.edges) for (const name of edge.classes) present.add(`edge.${name}`);
  return present;
}

/** Matches a list of simple `group.class` selectors, such as a legend row's, against the classes present. */
function selectorMatchesClasses(selector: string, present: Set<string>): boolean {
  return selector.split(',').some((part) => present.has(part.trim()));
}

function statusName(strings: WebviewStrings, status: string): string {
  const key = `status${status.charAt(0).toUpperCase()}${status.slice(1)}` as keyof WebviewStrings;
  return strings[key] ?? status;
}

/** Formats milliseconds as seconds with one decimal below a minute, then as minutes and seconds. */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}
