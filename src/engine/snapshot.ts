import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';

/**
 * Serialises detector state (an object graph) to bytes and back, for checkpoints.
 *
 * The graph may hold primitives, plain objects, arrays, Map, Set, typed arrays, Date, and instances
 * of classes registered with `stateClass`. V8's structured serialiser does the heavy lifting
 * (natively, keeping shared references and cycles), but it writes class instances as plain
 * objects; so the encoder also records, in a fixed walk order, which objects had which registered
 * prototype, and the decoder walks the decoded graph in the same order to put the prototypes back.
 * Functions, symbols and unregistered classes are refused loudly: a checkpoint that silently
 * dropped state would restore a detector that is subtly wrong.
 */

type AnyClass = abstract new (...args: never[]) => object;

const byName = new Map<string, object>();
const byPrototype = new Map<object, string>();
/** Marks objects created with a null prototype (Object.create(null)). */
const NULL_PROTO = '\u0000null';

/** Leaves: built-ins the serialiser copies whole and which hold no references to walk. */
function isLeaf(v: object): boolean {
  return ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Date || v instanceof RegExp;
}

/**
 * Registers a class whose instances may appear in detector state. Call once, next to the class.
 * The name (default: the class name) is what the snapshot records, so it must be unique.
 */
export function stateClass<T extends AnyClass>(cls: T, name: string = cls.name): T {
  const proto = cls.prototype as object;
  const known = byName.get(name);
  if (known && known !== proto) throw new Error(`state class name ${name} is registered twice`);
  byName.set(name, proto);
  byPrototype.set(proto, name);
  return cls;
}

/**
 * Visits every object of the graph once, in an order that depends only on the graph's shape (own
 * enumerable keys in enumeration order, array indexes, Map entries and Set values in insertion
 * order), so the original and its decoded copy are visited in the same order. `visit` gets each
 * object with its prototype. This walk is most of a checkpoint's cost (V8 serialises natively), so
 * it allocates nothing per object beyond its stack slot.
 */
function walk(root: unknown, visit: (o: object, proto: object | null, index: number) => void): void {
  const seen = new Set<object>();
  const stack: object[] = [];
  const push = (x: unknown): void => {
    if (typeof x === 'object' ? x !== null : typeof x === 'function') stack.push(x as object);
  };
  push(root);
  let index = 0;
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (typeof v === 'function')
      throw new Error(`a function (${(v as { name?: string }).name || 'anonymous'}) cannot be part of detector state`);
    if (seen.has(v)) continue;
    seen.add(v);
    const proto = Object.getPrototypeOf(v) as object | null;
    visit(v, proto, index++);
    if (proto === Object.prototype || Array.isArray(v)) {
      if (Array.isArray(v)) for (let i = 0; i < v.length; i++) push(v[i]);
      else for (const k in v) push((v as Record<string, unknown>)[k]);
    } else if (v instanceof Map) {
      for (const [k, x] of v) {
        push(k);
        push(x);
      }
    } else if (v instanceof Set) {
      for (const x of v as Set<unknown>) push(x);
    } else if (!isLeaf(v)) {
      for (const k in v) if (Object.hasOwn(v, k)) push((v as Record<string, unknown>)[k]);
    }
  }
}

/** Prototypes the serialiser restores by itself. */
function isBuiltIn(o: object, proto: object | null): boolean {
  return proto === Object.prototype || proto === Array.prototype || proto === Map.prototype || proto === Set.prototype || isLeaf(o);
}

interface Envelope {
  readonly format: 1;
  /** Walk indexes of objects that had a registered prototype, and that prototype's name. */
  readonly at: number[];
  readonly names: string[];
  readonly root: unknown;
}

/** The graph as bytes. Throws on a function, a symbol or an instance of an unregistered class. */
export function encodeState(root: unknown): Buffer {
  const at: number[] = [];
  const names: string[] = [];
  walk(root, (o, proto, index) => {
    if (isBuiltIn(o, proto)) return;
    const name = proto === null ? NULL_PROTO : byPrototype.get(proto);
    if (name === undefined) {
      const ctor = (proto as { constructor?: { name?: string } }).constructor?.name ?? '?';
      throw new Error(`class ${ctor} is not registered with stateClass(): its instances cannot be checkpointed`);
    }
    at.push(index);
    names.push(name);
  });
  const envelope: Envelope = { format: 1, at, names, root };
  return serialize(envelope);
}

/** Decodes bytes from `encodeState`, with every registered class instance's prototype restored. */
export function decodeState(bytes: Uint8Array): unknown {
  const envelope = deserialize(bytes) as Envelope;
  if (envelope.format !== 1) throw new Error(`unknown state format ${String(envelope.format)}`);
  const { at, names, root } = envelope;
  let next = 0;
  walk(root, (o, _proto, index) => {
    if (next < at.length && at[next] === index) {
      const name = names[next++]!;
      const proto = name === NULL_PROTO ? null : byName.get(name);
      if (proto === undefined) throw new Error(`state class ${name} is not registered in this build`);
      Object.setPrototypeOf(o, proto);
    }
  });
  if (next !== at.length) throw new Error('state snapshot does not match its class table');
  return root;
}

let codeId: string | undefined;

/**
 * Identifies the detection code of this build: a hash of the compiled detector and engine modules.
 * State layouts change with the code (a detector keeps other fields, another structure), and a
 * snapshot decoded into a different layout would restore a detector that is subtly wrong; so a
 * snapshot is only valid for the build that wrote it (the engine puts this into its fingerprint,
 * and a worker that finds another build's checkpoint rebuilds from the stream instead).
 */
export function stateCodeId(): string {
  if (codeId !== undefined) return codeId;
  const hash = createHash('sha256');
  let count = 0;
  for (const dir of [join(import.meta.dirname, '..', 'detect'), import.meta.dirname]) {
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.js') && !f.endsWith('.test.js'))
      .sort();
    count += files.length;
    for (const f of files) hash.update(`${f}\u0000`).update(readFileSync(join(dir, f)));
  }
  if (count === 0) throw new Error(`no compiled detection modules next to ${import.meta.dirname}: cannot identify the build`);
  codeId = hash.digest('hex').slice(0, 16);
  return codeId;
}
