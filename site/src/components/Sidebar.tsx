import type { ApiLab } from '../engine/types.ts';
import { labHref } from '../lib/router.ts';
import { IconCheck } from './Icons.tsx';
import { useT } from '../lib/lang.ts';

/** The lab list; `rail`: only the lab numbers (the titles stay for screen readers and as tooltips). */
export function Sidebar({
  labs,
  activeId,
  workspaceLab,
  rail = false,
  onNavigate,
}: {
  labs: ApiLab[];
  activeId: string | undefined;
  workspaceLab: string | undefined;
  rail?: boolean;
  onNavigate?: () => void;
}) {
  const tr = useT();
  const done = labs.filter((l) => l.passed).length;
  const pct = labs.length ? Math.round((done / labs.length) * 100) : 0;
  return (
    <nav class={`sidebar${rail ? ' is-rail' : ''}`} aria-label="Labs">
      <div class="sidebar-head">
        <h2 class="sidebar-title">{tr('sidebar.labs')}</h2>
        <span class="sidebar-progress-text">
          {tr('sidebar.progress', { done, total: labs.length })}
        </span>
      </div>
      <div
        class="progress"
        role="progressbar"
        aria-label={tr('sidebar.progressLabel')}
        aria-valuemin={0}
        aria-valuemax={labs.length}
        aria-valuenow={done}
        aria-valuetext={tr('sidebar.progressValue', { done, total: labs.length })}
      >
        <div class="progress-bar" style={{ width: `${pct}%` }} />
      </div>
      <ol class="lab-list">
        {labs.map((l) => {
          const active = l.id === activeId;
          return (
            <li key={l.id}>
              <a
                href={labHref(l.id)}
                class={`lab-link${active ? ' is-active' : ''}${l.passed ? ' is-passed' : ''}`}
                aria-current={active ? 'page' : undefined}
                data-lab={l.id}
                data-passed={String(l.passed)}
                title={rail ? tr(l.passed ? 'sidebar.railPassed' : 'sidebar.rail', { id: l.id, title: l.title }) : undefined}
                onClick={onNavigate}
              >
                <span class="lab-num" aria-hidden="true">
                  {l.passed ? <IconCheck size={13} /> : l.id}
                </span>
                <span class={`lab-link-text${rail ? ' sr-only' : ''}`}>
                  <span class="lab-link-title">{l.title}</span>
                  <span class="lab-link-meta">
                    {tr('lab.badge', { id: l.id })} · {tr('lab.minutes', { n: l.minutes })}
                    {l.passed && <span class="lab-passed-text"> · {tr('sidebar.passed')}</span>}
                    {workspaceLab === l.id && <span class="lab-ws-tag"> · {tr('sidebar.inWorkspace')}</span>}
                  </span>
                </span>
              </a>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
