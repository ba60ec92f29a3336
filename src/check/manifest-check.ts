import type { Engine } from '../engine/engine.js';
import type { Finding } from '../engine/types.js';
import type { KubeObject } from '../kube-model/types.js';
import { refOf, type ObjectRef } from '../kube-model/types.js';
import { memoScope } from '../kube-model/memo.js';
import { isClusterScoped } from '../kube-model/kinds.js';
import { ObjectStore } from '../world/store.js';
import { RecordingWorld, sameAnswers, type Question } from '../world/store-questions.js';
import { isReferenceable } from '../world/store-retention.js';
import { StoreWorld } from '../world/store-world.js';
import type { CheckedObject, CheckReport } from '../report/report.js';
import { ManifestInputError, type InputProblem } from '../manifests/errors.js';
import { FileTexts, type LoadedObject } from '../manifests/loaded-object.js';
import { StringTable } from '../manifests/strings.js';

/** Objects judged in one memo scope at the end of the input. */
const MEMO_BATCH = 16;

export interface CheckOptions {
  /** Namespace of namespaced objects that name none (helm's and kubectl's `default`). */
  defaultNamespace: string;
  files: readonly string[];
}

/** An object whose findings are known only once the whole input is read. */
interface Pending {
  row: CheckedObject;
  entry: LoadedObject;
  /** Set for an object judged as it came: judged again only if one of these is answered differently now. */
  questions?: readonly Question[];
}

/**
 * `ddguard check` over a stream of objects, every object judged in the world of the whole input, memory
 * following Datadog's objects rather than the input's size. What another object's rules can ask about
 * (isReferenceable: Datadog's workloads and DatadogAgents, RBAC, ServiceAccounts, Secrets, ConfigMaps,
 * Services) is kept, its strings shared (StringTable), and judged at the end. Anything else is judged as it
 * comes and dropped, keeping its findings with their lines; if its rules asked the world something, what they
 * asked is kept and asked again at the end, and only an object answered differently then is judged again.
 */
export class ManifestCheck {
  private readonly store: ObjectStore;
  private readonly strings = new StringTable();
  private readonly rows: CheckedObject[] = [];
  private readonly pending: Pending[] = [];
  /** Files read again for the lines of what is judged at the end; other texts (standard input) are copied. */
  private readonly files = new FileTexts();
  /** Kinds some rule judges: a kept object of another kind (a Role, a Service) needs no line for the end. */
  private readonly judgedKinds: ReadonlySet<string>;

  constructor(
    private readonly engine: Engine,
    private readonly defaultNamespace: string,
  ) {
    this.store = new ObjectStore(defaultNamespace);
    this.judgedKinds = new Set(engine.rules.flatMap((rule) => rule.targets));
  }

  /** Objects kept for cross-object questions: for tests and the benchmark's account of memory. */
  get kept(): number {
    return this.store.size;
  }

  /** Objects whose judgement waits for the end of the input (with a copy of their document's text). */
  get waiting(): number {
    return this.pending.length;
  }

  add(entry: LoadedObject): void {
    const object = entry.object;
    const row: CheckedObject = { ref: this.internRef(this.refOf(object)), file: entry.file, findings: [] };
    this.rows.push(row);
    if (isReferenceable(object, this.defaultNamespace)) {
      const kept = this.strings.copy(object);
      this.store.upsert(kept);
      if (this.judgedKinds.has(object.kind ?? '')) this.pending.push({ row, entry: this.detach(entry, kept) });
      return;
    }
    const world = new RecordingWorld(this.store);
    this.settle(row, entry, this.engine.evaluate(object, world));
    if (world.questions.length > 0) this.pending.push({ row, entry: this.detach(entry, this.strings.copy(object)), questions: world.questions });
  }

  /** Judges what waited for the whole input and returns the report, objects and findings in input order. */
  finish(files: readonly string[], inputProblems: readonly InputProblem[] = []): CheckReport {
    const problems = [...inputProblems];
    const world = new StoreWorld(this.store, 'manifests');
    // Memo scopes of a few hundred objects: a Secret's judgement asks about the workloads of its namespace, and
    // within a scope each workload's token sources are worked out once, not once per Secret; one scope for the
    // whole set held every answer worked out until the last object was judged.
    for (let start = 0; start < this.pending.length; start += MEMO_BATCH) {
      memoScope(() => {
        for (let i = start; i < Math.min(start + MEMO_BATCH, this.pending.length); i++) {
          const { row, entry, questions } = this.pending[i]!;
          if (!questions || !sameAnswers(questions)) this.judgeAgain(row, entry, world, problems);
          // Its document's text and line tables are not needed any more.
          this.pending[i] = undefined as unknown as Pending;
        }
      });
    }
    this.pending.length = 0;
    this.files.release();
    const report: CheckReport = { objects: this.rows, findings: this.rows.flatMap((row) => row.findings), files: [...files] };
    if (problems.length > 0) report.problems = problems;
    return report;
  }

  private judgeAgain(row: CheckedObject, entry: LoadedObject, world: StoreWorld, problems: InputProblem[]): void {
    try {
      this.settle(row, entry, this.engine.evaluate(entry.object, world));
    } catch (error: unknown) {
      // Its lines come from its file, read again: a file changed meanwhile cannot be reported on.
      if (!(error instanceof ManifestInputError)) throw error;
      row.findings = [];
      if (!problems.some((p) => p.file === error.path && p.message === error.reason)) problems.push({ file: error.path, message: error.reason });
    }
  }

  private detach(entry: LoadedObject, object: KubeObject): LoadedObject {
    return entry.detached(object, this.files, this.strings);
  }

  private settle(row: CheckedObject, entry: LoadedObject, found: Finding[]): void {
    row.findings = found;
    if (found.length > 0) row.line = entry.line;
    else delete row.line;
    for (const finding of found) {
      finding.source = { file: entry.file, line: entry.lineOf(finding.path) };
      this.internFinding(finding);
    }
  }

  /** Names objects the way findings do: a namespaced object without a namespace lands in the default one. */
  private refOf(object: KubeObject): ObjectRef {
    const ref = refOf(object);
    if (!ref.namespace && !isClusterScoped(object.kind)) ref.namespace = this.defaultNamespace;
    return ref;
  }

  private internRef(ref: ObjectRef): ObjectRef {
    return this.strings.copy(ref);
  }

  /** A finding outlives its object: nothing in it may hold the object's file text alive. */
  private internFinding(finding: Finding): void {
    finding.message = this.strings.intern(finding.message);
    finding.remediation = this.strings.intern(finding.remediation);
    finding.path = this.strings.intern(finding.path);
    finding.object = this.internRef(finding.object);
    if (finding.exempted) finding.exempted.reason = this.strings.intern(finding.exempted.reason);
  }
}

/**
 * Runs the engine over a set of loaded manifests, every object judged in the world of all of them, and gives
 * each finding the file and line of the field it points at.
 */
export function checkManifests(loaded: readonly LoadedObject[], engine: Engine, options: CheckOptions): CheckReport {
  const check = new ManifestCheck(engine, options.defaultNamespace);
  for (const entry of loaded) check.add(entry);
  return check.finish(options.files);
}
