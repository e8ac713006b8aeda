// The lab text: labs/<dir>/lab.mdx compiled by @mdx-js/rollup at build time, one lazy chunk per lab.
import type { ComponentChildren, FunctionComponent, VNode } from 'preact';
import { toChildArray } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { CodeBlock } from './CodeBlock.tsx';
import { HEADING_ID } from '../../../src/i18n/headingId.ts';
import type { Lang } from '../../../src/i18n/index.ts';
import { shownLang, translationNote } from '../../../src/i18n/labPageChoice.ts';
import { useLang, useT, withLang, tx } from '../lib/lang.ts';

type MdxComponents = Record<string, FunctionComponent<any>>;
interface MdxModule {
  default: FunctionComponent<{ components?: MdxComponents }>;
  /** A translated page: the English lab.mdx it translates, by hash. */
  translation?: { source: string; sha256: string };
}

const modules = import.meta.glob<MdxModule>('../../../labs/*/lab.mdx');
const zhModules = import.meta.glob<MdxModule>('../../../labs/*/lab.zh-CN.mdx');

function loaderFor(dir: string, lang: Lang = 'en'): (() => Promise<MdxModule>) | undefined {
  return lang === 'zh-CN' ? zhModules[`../../../labs/${dir}/lab.zh-CN.mdx`] : modules[`../../../labs/${dir}/lab.mdx`];
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
    // An explicit anchor (`{#objectives}`, the same in every language) arrives as trailing text.
    const kids = toChildArray(children);
    const last = kids[kids.length - 1];
    const explicit = typeof last === 'string' ? HEADING_ID.exec(last)?.[1] : undefined;
    if (explicit) kids[kids.length - 1] = (last as string).replace(HEADING_ID, '');
    return <Tag id={explicit ?? slug(textOf(children))}>{kids}</Tag>;
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

/** Above a translated page: a note when it is missing (English follows) or older than the English. */
function TranslationNote({ dir, lang, shown, translation }: { dir: string; lang: Lang; shown: Lang; translation: MdxModule['translation'] }) {
  const tr = useT();
  const note = translationNote(lang, shown, translation?.sha256, import.meta.env.VITE_LAB_SHA256[dir]);
  if (!note) return null;
  if (note === 'missing') {
    return (
      <p class="alert alert-info alert-compact" data-translation="missing" lang={lang}>
        {tr('lab.noTranslation')}
      </p>
    );
  }
  const [before, after] = tr('lab.staleNote', { link: '\u0000' }).split('\u0000');
  return (
    <p class="alert alert-info alert-compact" data-translation="stale" lang={lang}>
      {before}
      <a href={withLang(window.location.hash.split('?')[0] ?? '', 'en')}>{tr('lab.staleLink')}</a>
      {after}
    </p>
  );
}

export function LabContent({ dir, onLoaded }: { dir: string; onLoaded?: () => void }) {
  const lang = useLang();
  // A lab without a Chinese page shows the English one (with a note), never an empty page.
  const which = shownLang(lang, (l) => !!loaderFor(dir, l));
  const key = `${which}:${dir}`;
  const [mod, setMod] = useState<MdxModule | null>(() => cache.get(key) ?? null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    setError(null);
    const cached = cache.get(key);
    if (cached) {
      setMod(cached);
      return;
    }
    setMod(null);
    const load = loaderFor(dir, which);
    if (!load) {
      setError(tx('lab.noText', { dir }));
      return;
    }
    load().then(
      (m) => {
        cache.set(key, m);
        if (live) setMod(m);
      },
      (e: unknown) => {
        if (live) setError(tx('lab.loadFailed', { error: e instanceof Error ? e.message : String(e) }));
      },
    );
    return () => {
      live = false;
    };
  }, [key, attempt]);

  useEffect(() => {
    if (mod) onLoaded?.();
  }, [mod]);

  if (error) {
    return (
      <div class="alert alert-error" role="alert">
        <p>{error}</p>
        <button type="button" class="btn btn-small" onClick={() => setAttempt((a) => a + 1)}>
          {tx('common.tryAgain')}
        </button>
      </div>
    );
  }
  if (!mod) {
    return (
      <div class="prose-skeleton" aria-busy="true" aria-label={tx('lab.loadingText')}>
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
    <article class="prose" lang={which}>
      <TranslationNote dir={dir} lang={lang} shown={which} translation={mod.translation} />
      <Content components={components} />
    </article>
  );
}
