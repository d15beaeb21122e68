// Validates Mermaid diagrams with the real mermaid parser.
//
// Usage: node validate.mjs [--labels] FILE...
// Prints one JSON line per file: {"file", "ok", "error"?, "type"?, "labels"?}. With --labels,
// "labels" holds the decoded text of every vertex, edge and subgraph of a flowchart, as
// mermaid would show it, so tests can check that labels round-trip. Exits 1 when any file
// fails to parse.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

// mermaid and its DOMPurify need a DOM even to parse.
const dom = new JSDOM("<!DOCTYPE html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
for (const key of ["Element", "HTMLElement", "Node", "DOMParser", "DocumentFragment", "NodeFilter"]) {
  if (!(key in globalThis)) globalThis[key] = dom.window[key];
}

const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false, securityLevel: "strict", maxTextSize: 10_000_000, maxEdges: 100_000 });

// mermaid's own entity decoding (see decodeEntities in mermaid's utils), then HTML entities and
// <br> line breaks as a browser would show them.
function shown(text) {
  if (text === undefined || text === null) return null;
  let s = String(text).replace(/ﬂ°°/g, "&#").replace(/ﬂ°/g, "&").replace(/¶ß/g, ";");
  s = s.replace(/<br\s*\/?>/gi, "\n");
  const el = dom.window.document.createElement("textarea");
  el.innerHTML = s;
  return el.value;
}

const args = process.argv.slice(2);
const wantLabels = args.includes("--labels");
let failed = false;
for (const file of args.filter((a) => a !== "--labels")) {
  const text = readFileSync(file, "utf8");
  const result = { file };
  try {
    const parsed = await mermaid.parse(text);
    result.ok = true;
    result.type = parsed.diagramType;
    if (wantLabels) {
      const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
      const db = diagram.db;
      const vertices = {};
      const shapes = {};
      for (const [id, v] of db.getVertices()) {
        vertices[id] = shown(v.text);
        shapes[id] = v.type ?? null;
      }
      const edges = db.getEdges().map((e) => ({ start: e.start, end: e.end, text: shown(e.text) }));
      const subgraphs = db.getSubGraphs().map((g) => ({ id: g.id, title: shown(g.title) }));
      const title = diagram.db.getDiagramTitle ? diagram.db.getDiagramTitle() : null;
      result.labels = { title, vertices, shapes, edges, subgraphs };
    }
  } catch (err) {
    failed = true;
    result.ok = false;
    result.error = String(err && err.message ? err.message : err);
  }
  process.stdout.write(JSON.stringify(result) + "\n");
}
process.exit(failed ? 1 : 0);
