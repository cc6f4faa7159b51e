// What crosses the guest boundary (QuickJS <-> host): the values every operation takes and returns, and what the
// host-side channels carry for them.

/** A value that crosses the guest boundary, by copy. */
export type GuestValue =
  string | number | boolean | null | undefined | GuestValue[] | { [key: string]: GuestValue } | NotCopied

/** A guest argument the bridge did not copy (an object, array, function, symbol or bigint: no operation takes one),
 *  so that marshalling a giant array costs nothing; every validator refuses it, naming its kind. */
export class NotCopied {
  constructor(readonly kind: string) {}
}
