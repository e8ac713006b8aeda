// labs/labs.yaml?catalog: the lab list, parsed when the site is built (site/vite.config.ts).
declare module '*/labs.yaml?catalog' {
  const catalog: import('../../src/labs/catalogParse.ts').Lab[];
  export default catalog;
}
