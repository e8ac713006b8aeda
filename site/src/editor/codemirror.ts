// The CodeMirror 6 side of the editor (a lazy chunk: loaded when the Code tab first opens).
// One EditorView; one EditorState per file, so each file keeps its own undo history and cursor.
import { basicSetup } from 'codemirror';
import { javascript } from '@codemirror/lang-javascript';
import { syntaxHighlighting } from '@codemirror/language';
import { setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorSelection, EditorState, RangeSetBuilder } from '@codemirror/state';
import { Decoration, EditorView, ViewPlugin, type DecorationSet, type ViewUpdate } from '@codemirror/view';
import { classHighlighter } from '@lezer/highlight';
import type { BuildError } from './workspace.ts';

const todoLine = Decoration.line({ class: 'cm-todo-line' });

/** Marks every `// TODO(lab NN)` line, so the student sees at a glance what is theirs to write. */
const todoLines = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = this.build(view);
    }
    update(u: ViewUpdate) {
      if (u.docChanged || u.viewportChanged) this.decorations = this.build(u.view);
    }
    build(view: EditorView): DecorationSet {
      const b = new RangeSetBuilder<Decoration>();
      for (const { from, to } of view.visibleRanges) {
        for (let pos = from; pos <= to; ) {
          const line = view.state.doc.lineAt(pos);
          if (/\/\/ TODO\(lab \d\d\)/.test(line.text)) b.add(line.from, line.from, todoLine);
          pos = line.to + 1;
        }
      }
      return b.finish();
    }
  },
  { decorations: (v) => v.decorations },
);

// Colours come from the site's CSS variables (styles/editor.css), so the editor follows the
// light/dark theme without being rebuilt.
const siteTheme = EditorView.theme({
  '&': { height: '100%', fontSize: '13px', backgroundColor: 'var(--term-bg)', color: 'var(--text)' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.5' },
  '.cm-gutters': { backgroundColor: 'var(--surface-2)', color: 'var(--text-3)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine': { backgroundColor: 'color-mix(in srgb, var(--accent-soft) 55%, transparent)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--accent-soft)', color: 'var(--text)' },
  '&.cm-focused .cm-cursor': { borderLeftColor: 'var(--text)' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground, ::selection': { backgroundColor: 'var(--accent-border) !important' },
  '.cm-todo-line': { backgroundColor: 'var(--warn-soft)', boxShadow: 'inset 3px 0 0 var(--warn)' },
  '.cm-panels': { backgroundColor: 'var(--surface-2)', color: 'var(--text)' },
  '.cm-tooltip': { backgroundColor: 'var(--surface)', color: 'var(--text)', border: '1px solid var(--border-strong)' },
});

export interface EditorHandle {
  /** Shows `path` (its own state if it was open before, else `text`). */
  open(path: string, text: string): void;
  /** Replaces the text of `path` (e.g. reset to the starter), keeping it undoable. */
  replace(path: string, text: string): void;
  text(): string;
  /** Puts the cursor at a 1-based line and column and scrolls it into view. */
  goto(line: number, column?: number): void;
  /** Build errors of the open file, shown in the gutter and under the code. */
  showErrors(errors: BuildError[]): void;
  focus(): void;
  destroy(): void;
}

export function createEditor(parent: HTMLElement, onChange: (path: string, text: string) => void): EditorHandle {
  const states = new Map<string, EditorState>();
  let current = '';
  const extensions = [
    basicSetup,
    javascript({ typescript: true }),
    syntaxHighlighting(classHighlighter),
    siteTheme,
    todoLines,
    EditorView.updateListener.of((u) => {
      if (u.docChanged && current) onChange(current, u.state.doc.toString());
    }),
  ];
  const view = new EditorView({ parent, state: EditorState.create({ doc: '', extensions }) });

  const open = (path: string, text: string) => {
    if (current) states.set(current, view.state);
    current = path;
    view.setState(states.get(path) ?? EditorState.create({ doc: text, extensions }));
    view.dom.dataset.file = path;
  };

  return {
    open,
    replace(path, text) {
      if (path !== current) open(path, text);
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    text: () => view.state.doc.toString(),
    goto(line, column = 1) {
      const doc = view.state.doc;
      const l = doc.line(Math.min(Math.max(1, line), doc.lines));
      const pos = Math.min(l.from + Math.max(0, column - 1), l.to);
      view.dispatch({ selection: EditorSelection.cursor(pos), effects: EditorView.scrollIntoView(pos, { y: 'center' }) });
      view.focus();
    },
    showErrors(errors) {
      const doc = view.state.doc;
      const diagnostics: Diagnostic[] = errors
        .filter((e) => e.line >= 1 && e.line <= doc.lines)
        .map((e) => {
          const l = doc.line(e.line);
          const from = Math.min(l.from + Math.max(0, e.column - 1), l.to);
          return { from, to: Math.min(from + 1, l.to), severity: 'error', message: e.message };
        });
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
