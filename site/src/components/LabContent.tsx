// The lab text: labs/<dir>/lab.mdx compiled by @mdx-js/rollup at build time, one lazy chunk per lab.
import type { ComponentChildren, FunctionComponent, VNode } from 'preact';
import { toChildArray } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { CodeBlock } from './CodeBlock.tsx';

type MdxComponents = Record<string, FunctionComponent<any>>;
interface MdxModule {
  default: FunctionComponent<{ components?: MdxComponents }>;
}

const modules = import.meta.glob<MdxModule>('../../../labs/*/lab.mdx');

function loaderFor(dir: string): (() => Promise<MdxModule>) | undefined {
  return modules[`../../../labs/${dir}/lab.mdx`];
}

/** Starts fetching lab `id`'s text (while the engine starts), so the lab page has it sooner. */
export function preloadLabText(id: string): void {
  const key = Object.keys(modules).find((k) => k.startsWith(`../../../labs/${id}-`));
  if (key) void modules[key]!().catch(() => undefined);
}

export function hasLabText(dir: string): boolean {
  return !!loaderFor(dir);
}

function textOf(children: ComponentChildren): string {
  let s = '';
  for (const c of toChildArray(children)) {
    if (typeof c === 'string' || typeof c === 'number') s += String(c);
    else if (c && typeof c === 'object' && 'props' in c) s += textOf((c as VNode<{ children?: ComponentChildren }>).props.children);
  }
  return s;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/\s+/g, '-')
    .slice(0, 60);
}

function Pre({ children }: { children?: ComponentChildren }) {
  const [child] = toChildArray(children);
  if (child && typeof child === 'object' && 'props' in child) {
    const props = (child as VNode<{ className?: string; class?: string; children?: ComponentChildren }>).props;
    const cls = props.className ?? props.class ?? '';
    const lang = /language-(\S+)/.exec(cls)?.[1];
    return <CodeBlock code={textOf(props.children)} lang={lang} />;
  }
  return <CodeBlock code={textOf(children)} />;
}

function heading(Tag: 'h2' | 'h3' | 'h4') {
  return function Heading({ children }: { children?: ComponentChildren }) {
    const id = slug(textOf(children));
    return (
      <Tag id={id}>
        {children}
      </Tag>
    );
  };
}

function Anchor({ href, children }: { href?: string; children?: ComponentChildren }) {
  const external = !!href && /^https?:/.test(href);
  return (
    <a href={href} {...(external ? { target: '_blank', rel: 'noreferrer noopener' } : {})}>
      {children}
    </a>
  );
}

function Table({ children }: { children?: ComponentChildren }) {
  return (
    <div class="table-wrap" tabIndex={0}>
      <table>{children}</table>
    </div>
  );
}

const components: MdxComponents = { pre: Pre, h2: heading('h2'), h3: heading('h3'), h4: heading('h4'), a: Anchor, table: Table };

const cache = new Map<string, MdxModule>();

export function LabContent({ dir, onLoaded }: { dir: string; onLoaded?: () => void }) {
  const [mod, setMod] = useState<MdxModule | null>(() => cache.get(dir) ?? null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    setError(null);
    const cached = cache.get(dir);
    if (cached) {
      setMod(cached);
      return;
    }
    setMod(null);
    const load = loaderFor(dir);
    if (!load) {
      setError(`This site has no text for lab folder “${dir}” (labs/${dir}/lab.mdx). Rebuild the site: npx vite build site`);
      return;
    }
    load().then(
      (m) => {
        cache.set(dir, m);
        if (live) setMod(m);
      },
      (e: unknown) => {
        if (live) setError(`Could not load the lab text: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
    return () => {
      live = false;
    };
  }, [dir, attempt]);

  useEffect(() => {
    if (mod) onLoaded?.();
  }, [mod]);

  if (error) {
    return (
      <div class="alert alert-error" role="alert">
        <p>{error}</p>
        <button type="button" class="btn btn-small" onClick={() => setAttempt((a) => a + 1)}>
          Try again
        </button>
      </div>
    );
  }
  if (!mod) {
    return (
      <div class="prose-skeleton" aria-busy="true" aria-label="Loading the lab text">
        <div class="sk sk-h1" />
        <div class="sk" />
        <div class="sk" />
        <div class="sk sk-short" />
        <div class="sk sk-block" />
        <div class="sk" />
        <div class="sk sk-short" />
      </div>
    );
  }
  const Content = mod.default;
  return (
    <article class="prose">
      <Content components={components} />
    </article>
  );
}
