/**
 * CEL over an env entry's `valueFrom`, in the order sourceOf (src/kube-model/env-source.ts) reads it: secretKeyRef, then
 * configMapKeyRef, then fieldRef, then resourceFieldRef. `fieldFails` judges a fieldRef's path.
 */
export function valueFromFails(entry: string, fieldFails: (fieldPath: string) => string): string {
  const from = `${entry}.valueFrom`;
  return (
    `has(${from}) && (has(${from}.secretKeyRef) || has(${from}.configMapKeyRef) ? true` +
    ` : has(${from}.fieldRef) ? (has(${from}.fieldRef.fieldPath) && ${fieldFails(`${from}.fieldRef.fieldPath`)})` +
    ` : has(${from}.resourceFieldRef))`
  );
}
