// The language switch in the top bar: English / 简体中文, each named in its own language.
import { LANGS, t, type Lang } from '../../../src/i18n/index.ts';
import { setLang, useLang, useT } from '../lib/lang.ts';

export function LangSwitch() {
  const lang = useLang();
  const tr = useT();
  return (
    <select class="lang-switch" aria-label={tr('lang.switch')} title={tr('lang.switch')} value={lang} data-lang={lang} onChange={(e) => setLang((e.currentTarget as HTMLSelectElement).value as Lang)}>
      {LANGS.map((l) => (
        <option key={l} value={l} lang={l}>
          {t(l, { id: `lang.${l}` })}
        </option>
      ))}
    </select>
  );
}
