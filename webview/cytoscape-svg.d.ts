declare module 'cytoscape-svg' {
  import type cytoscape from 'cytoscape';
  /** Registers `cy.svg(options)`, which returns the graph as SVG markup. */
  const extension: cytoscape.Ext;
  export default extension;
}
