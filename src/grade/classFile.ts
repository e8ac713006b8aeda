// The class file: which labs count, their points, the time one student may take, and the students
// (each a machine inventory reached over ssh, or a cluster on this machine). YAML or JSON; paths
// are relative to the file. Every mistake names the file and the key, in the CLI's language.
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML, { isMap, isScalar } from 'yaml';
import type { Lab } from '../labs/catalogParse.ts';
import { msg, TextError, type Text } from '../i18n/text.ts';

export interface StudentSpec {
  id: string;
  name: string;
  /** Absolute path of the student's inventory (ssh backend). */
  inventory?: string;
  /** A cluster on this machine, any backend. */
  cluster?: string;
}

export interface ClassSpec {
  file: string;
  /** The class's name: the file name without extension. */
  name: string;
  labs: string[];
  /** Points per lab id. */
  points: Record<string, number>;
  timeoutS: number;
  students: StudentSpec[];
}

export class ClassFileError extends TextError {
  constructor(file: string, key: string, error: Text) {
    super(key ? msg('err.class.atKey', { file, key, error }) : msg('err.class.at', { file, error }));
    this.name = 'ClassFileError';
  }
}

const TOP_KEYS = ['labs', 'points', 'timeout', 'students'];
const STUDENT_KEYS = ['inventory', 'cluster', 'name'];
/** A student id ends up in file names (feedback/<id>.md) and JUnit classnames. */
const STUDENT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const DEFAULT_POINTS = 10;
export const DEFAULT_TIMEOUT_S = 120;

export function loadClassFile(file: string, catalog: Lab[]): ClassSpec {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ClassFileError(file, '', msg('err.class.cannotRead', { error: (err as NodeJS.ErrnoException).code ?? (err as Error).message }));
  }
  return parseClassFile(text, file, catalog);
}

export function parseClassFile(text: string, file: string, catalog: Lab[]): ClassSpec {
  const bad = (key: string, error: Text) => new ClassFileError(file, key, error);
  // Duplicate keys are allowed by the parser so that a duplicate student can be named below.
  const doc = YAML.parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length) throw bad('', msg('err.class.notYaml', { error: doc.errors[0]!.message.split('\n')[0]! }));
  const students = doc.get('students', true);
  if (isMap(students)) {
    const seen = new Set<string>();
    for (const item of students.items) {
      const k = isScalar(item.key) ? String(item.key.value) : String(item.key);
      if (seen.has(k)) throw bad(`students.${k}`, msg('err.class.studentTwice'));
      seen.add(k);
    }
  }
  const raw: unknown = doc.toJS();
  if (!isObject(raw)) throw bad('', msg('err.class.notMap'));
  for (const k of Object.keys(raw)) if (!TOP_KEYS.includes(k)) throw bad(k, msg('err.class.unknownKey', { known: TOP_KEYS.join(', ') }));

  const known = catalog.map((l) => l.id);
  let labs = known;
  if (raw.labs !== undefined) {
    if (!Array.isArray(raw.labs) || raw.labs.length === 0) throw bad('labs', msg('err.class.labs'));
    labs = raw.labs.map((l, i) => {
      const id = typeof l === 'number' ? String(l).padStart(2, '0') : l;
      if (typeof id !== 'string' || !known.includes(id)) throw bad(`labs[${i}]`, msg('err.class.unknownLab', { lab: JSON.stringify(l) ?? String(l), labs: known.join(', ') }));
      return id;
    });
    const dup = labs.find((l, i) => labs.indexOf(l) !== i);
    if (dup) throw bad('labs', msg('err.class.labTwice', { lab: dup }));
  }

  const points: Record<string, number> = Object.fromEntries(labs.map((l) => [l, DEFAULT_POINTS]));
  if (raw.points !== undefined) {
    if (!isObject(raw.points)) throw bad('points', msg('err.class.points'));
    const num = (k: string, v: unknown) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw bad(`points.${k}`, msg('err.class.pointsNumber'));
      return v;
    };
    const def = raw.points.default === undefined ? DEFAULT_POINTS : num('default', raw.points.default);
    for (const l of labs) points[l] = def;
    for (const [k, v] of Object.entries(raw.points)) {
      if (k === 'default') continue;
      if (!known.includes(k)) throw bad(`points.${k}`, msg('err.class.pointsLab', { labs: known.join(', ') }));
      if (labs.includes(k)) points[k] = num(k, v);
    }
  }

  let timeoutS = DEFAULT_TIMEOUT_S;
  if (raw.timeout !== undefined) {
    if (typeof raw.timeout !== 'number' || !(raw.timeout > 0)) throw bad('timeout', msg('err.class.timeout'));
    timeoutS = raw.timeout;
  }

  if (!isObject(raw.students) || Object.keys(raw.students).length === 0) {
    throw bad('students', msg('err.class.students'));
  }
  const base = path.dirname(path.resolve(file));
  const list: StudentSpec[] = [];
  for (const [id, entry] of Object.entries(raw.students)) {
    const at = `students.${id}`;
    if (!STUDENT_ID.test(id)) throw bad(at, msg('err.class.studentId'));
    if (!isObject(entry)) throw bad(at, msg('err.class.student'));
    for (const k of Object.keys(entry)) if (!STUDENT_KEYS.includes(k)) throw bad(`${at}.${k}`, msg('err.class.unknownKey', { known: STUDENT_KEYS.join(', ') }));
    const has = (k: string) => entry[k] !== undefined;
    if (has('inventory') === has('cluster')) throw bad(at, msg('err.class.oneOf'));
    const s: StudentSpec = { id, name: id };
    if (has('name')) {
      if (typeof entry.name !== 'string' || !entry.name.trim()) throw bad(`${at}.name`, msg('err.class.name'));
      s.name = entry.name;
    }
    if (has('inventory')) {
      if (typeof entry.inventory !== 'string') throw bad(`${at}.inventory`, msg('err.class.inventory'));
      const inv = path.resolve(base, entry.inventory);
      if (!fs.existsSync(inv)) throw bad(`${at}.inventory`, msg('err.class.noInventory', { file: inv }));
      s.inventory = inv;
    } else {
      if (typeof entry.cluster !== 'string' || !/^[a-z][a-z0-9]{0,11}$/.test(entry.cluster)) {
        throw bad(`${at}.cluster`, msg('err.class.cluster'));
      }
      s.cluster = entry.cluster;
    }
    list.push(s);
  }
  return { file: path.resolve(file), name: path.basename(file).replace(/\.(ya?ml|json)$/i, ''), labs, points, timeoutS, students: list };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
