// A code block with a copy button. `console` blocks show prompts dimmed, commands bold, output
// muted, and "Copy" copies only the commands (without their prompts).
import { useEffect, useState } from 'preact/hooks';
import { copyText } from '../lib/clipboard.ts';
import { IconCheck, IconCopy } from './Icons.tsx';
import { useT } from '../lib/lang.ts';

const PROMPT = /^(\$ |[\w.@-]+:[~\w/.-]*[#$] )/;

export function commandsOf(code: string): string[] {
  const out: string[] = [];
  for (const line of code.split('\n')) {
    const m = PROMPT.exec(line);
    if (m) out.push(line.slice(m[0].length));
  }
  return out;
}

function ConsoleLines({ code }: { code: string }) {
  const lines = code.replace(/\n$/, '').split('\n');
  return (
    <>
      {lines.map((line, i) => {
        const m = PROMPT.exec(line);
        const nl = i < lines.length - 1 ? '\n' : '';
        if (m) {
          return (
            <span key={i} class="cl-cmd">
              <span class="cl-prompt">{m[0]}</span>
              {line.slice(m[0].length)}
              {nl}
            </span>
          );
        }
        return (
          <span key={i} class="cl-out">
            {line}
            {nl}
          </span>
        );
      })}
    </>
  );
}

export function CopyButton({ text, label, title }: { text: string; label?: string; title?: string }) {
  const tr = useT();
  label ??= tr('code.copy');
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = window.setTimeout(() => setState('idle'), 1600);
    return () => window.clearTimeout(t);
  }, [state]);
  return (
    <button
      type="button"
      class={`copy-btn${state === 'copied' ? ' is-copied' : ''}`}
      title={title ?? label}
      onClick={async () => setState((await copyText(text)) ? 'copied' : 'failed')}
    >
      {state === 'copied' ? <IconCheck size={14} /> : <IconCopy size={14} />}
      <span aria-live="polite">{state === 'copied' ? tr('code.copied') : state === 'failed' ? tr('code.copyFailed') : label}</span>
    </button>
  );
}

export function CodeBlock({ code, lang }: { code: string; lang?: string | undefined }) {
  const isConsole = lang === 'console';
  const commands = isConsole ? commandsOf(code) : [];
  const copy = commands.length > 0 ? commands.join('\n') : code.replace(/\n$/, '');
  const tr = useT();
  const label = tr(commands.length > 1 ? 'code.copyCommands' : commands.length === 1 ? 'code.copyCommand' : 'code.copy');
  return (
    <div class={`codeblock${lang ? ` lang-${lang}` : ' lang-none'}`}>
      <div class="codeblock-tools">
        {lang && lang !== 'console' && <span class="codeblock-lang">{lang}</span>}
        <CopyButton
          text={copy}
          label={label}
          title={tr(commands.length > 0 ? 'code.copyCommandsTitle' : 'code.copyBlockTitle')}
        />
      </div>
      <pre tabIndex={0}>
        <code>{isConsole ? <ConsoleLines code={code} /> : code.replace(/\n$/, '')}</code>
      </pre>
    </div>
  );
}
