// "Trace a ping": pick where the ping starts (a pod or a node) and where it goes (a pod, a node or
// an address you type), then Trace.
import { useState } from 'preact/hooks';
import type { ApiTopology } from '../engine/types.ts';
import { isIPv4, traceEndpoints } from '../lib/tracePath.ts';
import { IconPlay, IconX } from './Icons.tsx';
import { tx } from '../lib/lang.ts';

const ADDRESS = '__address';

/** Options of a select: the pods, then the nodes. */
function EndpointOptions({ topo }: { topo: ApiTopology }) {
  const { pods, nodes } = traceEndpoints(topo);
  return (
    <>
      {pods.length > 0 && (
        <optgroup label={tx('trace.groupPods')}>
          {pods.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </optgroup>
      )}
      <optgroup label={tx('trace.groupNodes')}>
        {nodes.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </optgroup>
    </>
  );
}

/** The first choice that still exists, else a sensible default. */
function pick(current: string, options: string[], fallback: string | undefined): string {
  return options.includes(current) ? current : (fallback ?? options[0] ?? '');
}

export function TraceForm({
  topo,
  busy,
  hasResult,
  onTrace,
  onClear,
}: {
  topo: ApiTopology;
  busy: boolean;
  hasResult: boolean;
  onTrace: (from: string, to: string) => void;
  onClear: () => void;
}) {
  const { pods, nodes } = traceEndpoints(topo);
  const all = [...pods, ...nodes];
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [address, setAddress] = useState('');
  const [invalid, setInvalid] = useState(false);

  // Defaults: from the first pod, to a pod on another node (the interesting case).
  const fromValue = pick(from, all, pods[0] ?? nodes[0]);
  const fromNode = fromValue.split('/')[0];
  const toDefault = [...pods].reverse().find((p) => p.split('/')[0] !== fromNode) ?? all.find((x) => x !== fromValue);
  const toValue = to === ADDRESS ? ADDRESS : pick(to, all, toDefault);
  const typed = toValue === ADDRESS;

  const submit = (e: Event) => {
    e.preventDefault();
    if (typed && !isIPv4(address.trim())) {
      setInvalid(true);
      return;
    }
    onTrace(fromValue, typed ? address.trim() : toValue);
  };

  return (
    <form class="trace-form" onSubmit={submit} aria-label={tx('trace.title')}>
      <span class="trace-form-title">{tx('trace.title')}</span>
      <label class="trace-field">
        <span>{tx('trace.from')}</span>
        <select name="from" value={fromValue} onChange={(e) => setFrom(e.currentTarget.value)} disabled={busy}>
          <EndpointOptions topo={topo} />
        </select>
      </label>
      <label class="trace-field">
        <span>{tx('trace.to')}</span>
        <select name="to" value={toValue} onChange={(e) => setTo(e.currentTarget.value)} disabled={busy}>
          <EndpointOptions topo={topo} />
          <optgroup label={tx('trace.groupOther')}>
            <option value={ADDRESS}>{tx('trace.anAddress')}</option>
          </optgroup>
        </select>
      </label>
      {typed && (
        <label class="trace-field">
          <span class="sr-only">{tx('trace.address')}</span>
          <input
            name="address"
            class={`trace-address${invalid ? ' is-invalid' : ''}`}
            type="text"
            inputMode="decimal"
            autoComplete="off"
            spellcheck={false}
            placeholder="10.244.3.2"
            value={address}
            aria-invalid={invalid}
            aria-describedby={invalid ? 'trace-address-error' : undefined}
            onInput={(e) => {
              setAddress(e.currentTarget.value);
              setInvalid(false);
            }}
            disabled={busy}
          />
        </label>
      )}
      <button type="submit" class="btn btn-primary btn-small" data-action="trace" disabled={busy || all.length === 0}>
        {busy ? <span class="spinner-dot" aria-hidden="true" /> : <IconPlay size={13} />}
        {busy ? tx('trace.tracing') : tx('trace.run')}
      </button>
      {hasResult && !busy && (
        <button type="button" class="icon-btn trace-clear" onClick={onClear} aria-label={tx('trace.clear')} title={tx('trace.clearTitle')}>
          <IconX size={14} />
        </button>
      )}
      {invalid && (
        <span id="trace-address-error" class="trace-form-error" role="alert">
          {tx('trace.typeAddress')}
        </span>
      )}
    </form>
  );
}
