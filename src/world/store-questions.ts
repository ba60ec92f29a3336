import type { KubeObject } from '../kube-model/types.js';
import type { DecodedSecret } from '../kube-model/secrets.js';
import type { ObjectStore } from './store.js';
import { StoreWorld } from './store-world.js';
import type { Lookup } from '../kube-model/world.js';

/** One question a judgement asked, and the store's objects that answered it then. */
export interface Question {
  /** The objects that answer it now. */
  ask(): readonly unknown[];
  answer: readonly unknown[];
}

/**
 * A World over a store that is still filling up (`check` reading its input): it answers from what has been
 * read so far and records every question with the objects that answered it. A rule is a pure function of its
 * object and these answers, so if every question gets the same objects once all the input is read
 * (`sameAnswers`), its findings are the ones a judgement in the whole set would give.
 */
export class RecordingWorld extends StoreWorld {
  readonly questions: Question[] = [];

  constructor(store: ObjectStore) {
    super(store, 'manifests');
  }

  override get(kind: string, namespace: string | undefined, name: string): Lookup<KubeObject> {
    this.record(() => [this.store.get(kind, namespace, name)]);
    return super.get(kind, namespace, name);
  }

  override list(kind: string, namespace?: string): readonly KubeObject[] {
    this.record(() => this.store.list(kind, namespace));
    return super.list(kind, namespace);
  }

  override secret(namespace: string, name: string): Lookup<DecodedSecret> {
    this.record(() => [this.store.get('Secret', namespace, name)]);
    return super.secret(namespace, name);
  }

  override bindingsForServiceAccount(namespace: string, name: string): readonly KubeObject[] {
    this.record(() => this.store.bindingsForServiceAccount(namespace, name));
    return super.bindingsForServiceAccount(namespace, name);
  }

  override datadogWorkloads(namespace?: string): readonly KubeObject[] {
    this.record(() => this.store.datadogWorkloads(namespace));
    return super.datadogWorkloads(namespace);
  }

  private record(ask: () => readonly unknown[]): void {
    this.questions.push({ ask, answer: ask() });
  }
}

/** Whether every question is answered by the same objects, in the same order, as when it was asked. */
export function sameAnswers(questions: readonly Question[]): boolean {
  return questions.every(({ ask, answer }) => {
    const now = ask();
    return now.length === answer.length && now.every((object, i) => object === answer[i]);
  });
}
