import { createRequire } from 'node:module';
import type * as AjvModule from 'ajv';
import type { Options, ValidateFunction } from 'ajv';

const requireModule = createRequire(import.meta.url);

/**
 * An ajv validator compiled on first use, with ajv itself required then. Compiling every schema when its module
 * loads cost each CLI command ~0.2 s of start-up, mostly for schemas that command never uses (`check` does not
 * read serve's options), and loading ajv ~30 ms more for a `check` without a config file, which needs none.
 */
export function compiledOnFirstUse<T>(options: Options, schema: () => object): () => ValidateFunction<T> {
  let validate: ValidateFunction<T> | undefined;
  return () => (validate ??= new (requireModule('ajv') as typeof AjvModule).Ajv(options).compile<T>(schema()));
}
