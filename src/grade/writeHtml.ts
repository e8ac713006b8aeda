// report.html: one self-contained file (inline style and script, system fonts only): the class
// summary, a sortable student × lab matrix, filters kept in the URL (#status=…&q=…&student=…),
// a student's checks on click, and per check the share of the class that passed it.
import type { GradeReport } from './types.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const STYLE = `
:root{--bg:#fff;--fg:#1d2330;--muted:#5b6475;--line:#d9dee7;--head:#f3f5f9;--ok:#17803d;--bad:#c0262d;--warn:#a15c00;--err:#6d3fc0;--bar:#2f6fdd;--sel:#e8f0ff}
@media (prefers-color-scheme:dark){:root{--bg:#14171d;--fg:#e4e8ef;--muted:#98a2b3;--line:#2c323d;--head:#1c2029;--ok:#4cc178;--bad:#ff6b6b;--warn:#f0a94a;--err:#b794f6;--bar:#5b9bff;--sel:#1f2b44}}
*{box-sizing:border-box}body{margin:0;padding:24px;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}.muted{color:var(--muted)}
.summary{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;min-width:120px}.card b{display:block;font-size:20px}
.filters{display:flex;gap:12px;align-items:center;margin:8px 0;flex-wrap:wrap}input,select,button{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:4px 8px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}thead th{background:var(--head);position:sticky;top:0}
th button{border:0;background:none;padding:0;font-weight:600;cursor:pointer}th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
#matrix tbody tr{cursor:pointer}#matrix tbody tr:hover,#matrix tbody tr[aria-selected=true]{background:var(--sel)}td.num{text-align:right;font-variant-numeric:tabular-nums}
.mark-passed{color:var(--ok)}.mark-failed{color:var(--bad)}.mark-error{color:var(--err)}.st{font-weight:600}.st-ok{color:var(--ok)}.st-failed{color:var(--bad)}.st-unreachable{color:var(--warn)}.st-error{color:var(--err)}
.bar{display:inline-block;height:10px;background:var(--bar);border-radius:3px;vertical-align:middle}.barbox{display:inline-block;width:120px;background:var(--line);border-radius:3px;margin-right:8px}
.low td{font-weight:600}#detail{border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin-top:16px}#detail[hidden]{display:none}dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:4px 0 10px 22px}dt{color:var(--muted)}dd{margin:0}
.legend{font-size:12px}
@media print{body{padding:0;background:#fff;color:#000}.filters,#detail{display:none}thead th{position:static;background:#eee}a{color:#000}tr{break-inside:avoid}.bar{print-color-adjust:exact;-webkit-print-color-adjust:exact}}
`;

const SCRIPT = `
const R=JSON.parse(document.getElementById('grades').textContent);
const MARK={passed:'✓',failed:'✗',error:'⚠'};
const $=(s)=>document.querySelector(s);
const esc=(s)=>String(s).replace(/[&<>"]/g,(c)=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
const state=()=>new URLSearchParams(location.hash.slice(1));
function setState(k,v){const p=state();if(v)p.set(k,v);else p.delete(k);history.replaceState(null,'','#'+p.toString());apply();}
function labCell(s,l){const g=s.labs.find((x)=>x.lab===l.id);if(s.status==='unreachable')return '<td data-lab="'+l.id+'" data-points="" class="mark-error" title="unreachable">⊘</td>';
 const n=g.checks.filter((c)=>c.status==='passed').length;return '<td class="num mark-'+g.status+'" data-lab="'+l.id+'" data-points="'+g.points+'" title="'+n+' of '+g.checks.length+' checks">'+MARK[g.status]+' '+g.points+'</td>';}
function render(){
 const head='<tr><th data-key="student"><button>Student</button></th><th data-key="name"><button>Name</button></th><th data-key="status"><button>Status</button></th>'+R.labs.map((l)=>'<th data-key="lab:'+l.id+'" title="'+esc(l.title)+'"><button>'+l.id+'</button> <span class="muted">/'+l.points+'</span></th>').join('')+'<th data-key="points"><button>Points</button></th></tr>';
 $('#matrix thead').innerHTML=head;
 $('#matrix tbody').innerHTML=R.students.map((s)=>'<tr tabindex="0" data-student="'+esc(s.student)+'" data-status="'+s.status+'"><td>'+esc(s.student)+'</td><td>'+esc(s.name)+'</td><td class="st st-'+s.status+'">'+s.status+'</td>'+R.labs.map((l)=>labCell(s,l)).join('')+'<td class="num" data-points="'+s.points_awarded+'">'+s.points_awarded+' / '+s.points_available+'</td></tr>').join('');
 for(const th of document.querySelectorAll('#matrix th[data-key]'))th.querySelector('button').onclick=()=>{const p=state();const dir=p.get('sort')===th.dataset.key&&p.get('dir')!=='desc'?'desc':'asc';p.set('sort',th.dataset.key);p.set('dir',dir);history.replaceState(null,'','#'+p.toString());apply();};
 for(const tr of document.querySelectorAll('#matrix tbody tr')){tr.onclick=()=>setState('student',tr.dataset.student);tr.onkeydown=(e)=>{if(e.key==='Enter')setState('student',tr.dataset.student);};}
 const rows=[];for(const l of R.labs){const lab=R.students.find((s)=>s.labs.find((g)=>g.lab===l.id))?.labs.find((g)=>g.lab===l.id);for(const c of lab?lab.checks:[]){let ran=0,ok=0;for(const s of R.students){const g=s.labs.find((x)=>x.lab===l.id)?.checks.find((x)=>x.id===c.id);if(!g||g.status==='error'||g.status==='skipped')continue;ran++;if(g.status==='passed')ok++;}
  const share=ran?Math.round(100*ok/ran):null;rows.push('<tr data-check="'+esc(c.id)+'"'+(share!==null&&share<50?' class="low"':'')+'><td>'+l.id+'</td><td>'+esc(c.title)+' <span class="muted">('+esc(c.id)+')</span></td><td data-share="'+(share??'')+'"><span class="barbox"><span class="bar" style="width:'+(share??0)+'%"></span></span>'+(share===null?'not run':share+'%')+'</td><td class="num">'+ok+' / '+ran+'</td></tr>');}}
 $('#share tbody').innerHTML=rows.join('');
}
function sortValue(s,key){if(key==='points')return s.points_awarded;if(key.startsWith('lab:')){const g=s.labs.find((x)=>x.lab===key.slice(4));return s.status==='unreachable'?-1:g?g.points:-1;}return String(s[key]).toLowerCase();}
function apply(){
 const p=state(),st=p.get('status')||'',q=(p.get('q')||'').toLowerCase(),key=p.get('sort'),dir=p.get('dir')==='desc'?-1:1;
 $('#filter-status').value=st;if(document.activeElement!==$('#filter-text'))$('#filter-text').value=p.get('q')||'';
 const body=$('#matrix tbody');const trs=[...body.children];
 if(key){const by=Object.fromEntries(R.students.map((s)=>[s.student,s]));trs.sort((a,b)=>{const x=sortValue(by[a.dataset.student],key),y=sortValue(by[b.dataset.student],key);return (x<y?-1:x>y?1:0)*dir;});trs.forEach((t)=>body.appendChild(t));}
 for(const th of document.querySelectorAll('#matrix th[data-key]'))th.setAttribute('aria-sort',th.dataset.key===key?(dir<0?'descending':'ascending'):'none');
 let shown=0;for(const tr of trs){const s=R.students.find((x)=>x.student===tr.dataset.student);const vis=(!st||s.status===st)&&(!q||(s.student+' '+s.name).toLowerCase().includes(q));tr.hidden=!vis;if(vis)shown++;tr.setAttribute('aria-selected',String(p.get('student')===s.student));}
 $('#shown').textContent=shown+' of '+R.students.length+' students';
 detail(p.get('student'));
}
function detail(id){const d=$('#detail');const s=R.students.find((x)=>x.student===id);if(!s){d.hidden=true;d.removeAttribute('data-student');return;}
 d.hidden=false;d.dataset.student=s.student;
 d.innerHTML='<h2>'+esc(s.name)+' <span class="muted">('+esc(s.student)+' · '+esc(s.hostname)+')</span></h2><p><span class="st st-'+s.status+'">'+s.status+'</span> · '+s.points_awarded+' / '+s.points_available+' points · '+s.duration_s+' s'+(s.error?'<br><b>'+esc(s.error)+'</b>':'')+'</p>'+
 s.labs.map((g)=>{const l=R.labs.find((x)=>x.id===g.lab);return '<h3>Lab '+g.lab+' · '+esc(l.title)+' — '+g.points+' / '+l.points+'</h3>'+g.checks.map((c)=>'<div data-check="'+esc(c.id)+'" data-state="'+c.status+'"><span class="mark-'+c.status+'">'+(MARK[c.status]||'–')+'</span> '+esc(c.title)+(c.status==='passed'?'':'<dl><dt>expected</dt><dd>'+esc(c.expected)+'</dd><dt>found</dt><dd>'+esc(c.found)+'</dd>'+(c.hint?'<dt>hint</dt><dd>'+esc(c.hint)+'</dd>':'')+'</dl>')+'</div>').join('');}).join('')+'<p><button id="close-detail">Close</button></p>';
 $('#close-detail').onclick=()=>setState('student','');}
render();
$('#filter-status').onchange=(e)=>setState('status',e.target.value);
$('#filter-text').oninput=(e)=>setState('q',e.target.value);
window.addEventListener('hashchange',apply);
apply();
`;

export function formatHtml(r: GradeReport): string {
  const count = (st: string) => r.students.filter((s) => s.status === st).length;
  const graded = r.students.filter((s) => s.status !== 'unreachable');
  const mean = graded.length ? graded.reduce((a, s) => a + s.points_awarded, 0) / graded.length : 0;
  const available = r.labs.reduce((a, l) => a + l.points, 0);
  const card = (label: string, value: string | number, cls = '') => `<div class="card"><span class="muted">${label}</span><b class="${cls}">${value}</b></div>`;
  // The data rides along as JSON; "<" is escaped so no string in it can close the script element.
  const data = JSON.stringify(r).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="light dark"><title>${esc(r.class)} · grades</title><style>${STYLE}</style></head>
<body>
<header><h1>${esc(r.class)} · grades</h1><div class="muted">graded ${esc(r.gradedAt.slice(0, 16).replace('T', ' '))} UTC · labs ${r.labs.map((l) => esc(l.id)).join(', ')} · ${available} points</div></header>
<section class="summary" aria-label="Class summary">
${card('students', r.students.length)}${card('all passed', count('ok'), 'st-ok')}${card('some failed', count('failed'), 'st-failed')}${card('unreachable', count('unreachable'), 'st-unreachable')}${card('error', count('error'), 'st-error')}${card('mean points (reached)', `${Math.round(mean * 10) / 10} / ${available}`)}
</section>
<h2>Students × labs</h2>
<div class="filters" role="search">
<label>Status <select id="filter-status"><option value="">all</option><option value="ok">ok</option><option value="failed">failed</option><option value="unreachable">unreachable</option><option value="error">error</option></select></label>
<label>Find <input id="filter-text" type="search" placeholder="student or name"></label>
<span id="shown" class="muted"></span>
</div>
<table id="matrix"><thead></thead><tbody></tbody></table>
<p class="legend muted">✓ every check of the lab passed · ✗ some failed (points for the checks that passed) · ⚠ could not run (timeout, error) · ⊘ unreachable: not graded, not a zero. Click a student for the checks.</p>
<section id="detail" hidden aria-live="polite"></section>
<h2>Per check: share of the class that passed</h2>
<p class="muted">Among the students whose check ran. A low share is what the class struggled with — or a check to look at.</p>
<table id="share"><thead><tr><th>Lab</th><th>Check</th><th>Passed</th><th>Students</th></tr></thead><tbody></tbody></table>
<script type="application/json" id="grades">${data}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
