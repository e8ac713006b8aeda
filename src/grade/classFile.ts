// The class file: which labs count, their points, the time one student may take, and the students
// (each a machine inventory reached over ssh, or a cluster on this machine). YAML or JSON; paths
// are relative to the file. Every mistake names the file and the key.
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML, { isMap, isScalar } from 'yaml';
import type { Lab } from '../labs/catalogParse.ts';

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

export class ClassFileError extends Error {
  constructor(file: string, key: string, message: string) {
    super(`${file}: ${key ? `${key}: ` : ''}${message}`);
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
    throw new ClassFileError(file, '', `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseClassFile(text, file, catalog);
}

export function parseClassFile(text: string, file: string, catalog: Lab[]): ClassSpec {
  const bad = (key: string, message: string) => new ClassFileError(file, key, message);
  // Duplicate keys are allowed by the parser so that a duplicate student can be named below.
  const doc = YAML.parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length) throw bad('', `not valid YAML or JSON: ${doc.errors[0]!.message.split('\n')[0]}`);
  const students = doc.get('students', true);
  if (isMap(students)) {
    const seen = new Set<string>();
    for (const item of students.items) {
      const k = isScalar(item.key) ? String(item.key.value) : String(item.key);
      if (seen.has(k)) throw bad(`students.${k}`, 'this student is listed twice: each student once');
      seen.add(k);
    }
  }
  const raw: unknown = doc.toJS();
  if (!isObject(raw)) throw bad('', 'expected a map with "students" (and optionally "labs", "points", "timeout")');
  for (const k of Object.keys(raw)) if (!TOP_KEYS.includes(k)) throw bad(k, `unknown key (known: ${TOP_KEYS.join(', ')})`);

  const known = catalog.map((l) => l.id);
  let labs = known;
  if (raw.labs !== undefined) {
    if (!Array.isArray(raw.labs) || raw.labs.length === 0) throw bad('labs', 'a list of lab ids, e.g. ["00", "04"]');
    labs = raw.labs.map((l, i) => {
      const id = typeof l === 'number' ? String(l).padStart(2, '0') : l;
      if (typeof id !== 'string' || !known.includes(id)) throw bad(`labs[${i}]`, `unknown lab ${JSON.stringify(l)} (labs/labs.yaml has ${known.join(', ')}; quote ids: "04")`);
      return id;
    });
    const dup = labs.find((l, i) => labs.indexOf(l) !== i);
    if (dup) throw bad('labs', `lab "${dup}" is listed twice`);
  }

  const points: Record<string, number> = Object.fromEntries(labs.map((l) => [l, DEFAULT_POINTS]));
  if (raw.points !== undefined) {
    if (!isObject(raw.points)) throw bad('points', 'a map: { default: 10, "06": 20 }');
    const num = (k: string, v: unknown) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw bad(`points.${k}`, 'must be a number of points, 0 or more');
      return v;
    };
    const def = raw.points.default === undefined ? DEFAULT_POINTS : num('default', raw.points.default);
    for (const l of labs) points[l] = def;
    for (const [k, v] of Object.entries(raw.points)) {
      if (k === 'default') continue;
      if (!known.includes(k)) throw bad(`points.${k}`, `unknown lab (labs/labs.yaml has ${known.join(', ')}; or "default")`);
      if (labs.includes(k)) points[k] = num(k, v);
    }
  }

  let timeoutS = DEFAULT_TIMEOUT_S;
  if (raw.timeout !== undefined) {
    if (typeof raw.timeout !== 'number' || !(raw.timeout > 0)) throw bad('timeout', 'seconds for one student\'s whole run, a number above 0');
    timeoutS = raw.timeout;
  }

  if (!isObject(raw.students) || Object.keys(raw.students).length === 0) {
    throw bad('students', 'a map of students: s01: { inventory: inventories/s01.yaml } or s02: { cluster: s02 }');
  }
  const base = path.dirname(path.resolve(file));
  const list: StudentSpec[] = [];
  for (const [id, entry] of Object.entries(raw.students)) {
    const at = `students.${id}`;
    if (!STUDENT_ID.test(id)) throw bad(at, 'a student id is letters, digits, "-" and "_" (it names the feedback file)');
    if (!isObject(entry)) throw bad(at, 'a map: { inventory: FILE } or { cluster: NAME }, and optionally name');
    for (const k of Object.keys(entry)) if (!STUDENT_KEYS.includes(k)) throw bad(`${at}.${k}`, `unknown key (known: ${STUDENT_KEYS.join(', ')})`);
    const has = (k: string) => entry[k] !== undefined;
    if (has('inventory') === has('cluster')) throw bad(at, 'give exactly one of "inventory" (machines over ssh) or "cluster" (a cluster on this machine)');
    const s: StudentSpec = { id, name: id };
    if (has('name')) {
      if (typeof entry.name !== 'string' || !entry.name.trim()) throw bad(`${at}.name`, 'a non-empty string');
      s.name = entry.name;
    }
    if (has('inventory')) {
      if (typeof entry.inventory !== 'string') throw bad(`${at}.inventory`, 'a file path, relative to the class file');
      const inv = path.resolve(base, entry.inventory);
      if (!fs.existsSync(inv)) throw bad(`${at}.inventory`, `no such file ${inv}`);
      s.inventory = inv;
    } else {
      if (typeof entry.cluster !== 'string' || !/^[a-z][a-z0-9]{0,11}$/.test(entry.cluster)) {
        throw bad(`${at}.cluster`, 'a cluster name on this machine (1-12 lowercase letters and digits, starting with a letter)');
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
