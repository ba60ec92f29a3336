import type { ValidateFunction } from 'ajv';

/**
 * An ajv validator compiled on first use. Compiling every schema when its module loads cost each CLI command
 * ~0.2 s of start-up, mostly for schemas that command never uses (`check` does not read serve's options).
 */
export function compiledOnFirstUse<T>(compile: () => ValidateFunction<T>): () => ValidateFunction<T> {
  let validate: ValidateFunction<T> | undefined;
  return () => (validate ??= compile());
}
