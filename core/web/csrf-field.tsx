/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */

/** The hidden field every form that changes something carries (checked by requireUser). */
export function CsrfField(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}
