// The hand-written public types (lib/index.d.ts, lib/testing.d.ts) checked
// against the generated native declarations (native.d.ts, written by
// `napi build` from the Rust signatures and their `ts_args_type` /
// `ts_return_type`): `tsc --noEmit --strict -p test/tsconfig.json` fails
// when
//
// - a native method, getter, factory or function is not exposed by the
//   public API (a Rust export that JS users cannot reach), or
// - a call the public types allow is not a call the native side accepts
//   (parameters), or the native side returns something the public types do
//   not promise (return types).
//
// The JS wrappers pass arguments and results through unchanged, except for
// the conversions `ToNative`/`ToPublic` name (a wrapper class for its native
// object, a `file:` URL for a path). Only the exports listed in
// `NotPublic` are native-only, each with its reason.

import type * as N from '../native'
import type * as P from '../lib/index'
import type * as T from '../lib/testing'

type Fn = (...args: any[]) => any
type Ctor = abstract new (...args: any[]) => any

/** A public argument as the wrapper hands it to the native side. */
type ToNative<A> = A extends P.Signer ? N.NativeSigner : A extends URL ? string : A
type ToNativeArgs<Args extends unknown[]> = { [I in keyof Args]: ToNative<Args[I]> }

/** A native result as the wrapper hands it to the user. */
type ToPublic<R> = R extends N.NativeSigner
  ? P.Signer
  : R extends N.NativeVerifier
    ? P.Verifier
    : R extends N.NativeClient
      ? P.Client
      : R extends N.NativeEmulator
        ? T.Emulator
        : R

/** Why member `K` of native `Nat` is not exposed by public `Pub`, or `true`. */
type Member<Nat, Pub, K extends keyof Nat> = K extends keyof Pub
  ? Nat[K] extends Fn
    ? Pub[K] extends Fn
      ? [ToNativeArgs<Parameters<Pub[K]>>] extends [Parameters<Nat[K]>]
        ? [ToPublic<ReturnType<Nat[K]>>] extends [ReturnType<Pub[K]>]
          ? true
          : ['the native return type is not the public one', K]
        : ['a public call the native side does not accept', K]
      : ['native method, public non-method', K]
    : [Nat[K]] extends [Pub[K]]
      ? true
      : ['the native property type is not the public one', K]
  : ['not exposed', K]

/** Every member of `Nat` (minus `Skip`) checked against `Pub`. */
type Exposed<Nat, Pub, Skip extends PropertyKey = never> = {
  [K in Exclude<keyof Nat, Skip | 'prototype'>]: Member<Nat, Pub, K>
}

/** Compiles only when every checked member is `true`. */
type AllExposed<R extends { [K in keyof R]: true }> = R

/** Constructor parameters: every public `new` is a native `new`. */
type SameConstructor<Nat extends Ctor, Pub extends Ctor> = [ToNativeArgs<ConstructorParameters<Pub>>] extends [
  ConstructorParameters<Nat>,
]
  ? true
  : ['a public constructor call the native side does not accept']

/** Native exports that are deliberately not public API, each for a reason. */
type NotPublic =
  | '__napiBindingTarget' // the loader's own marker
  | 'NativeSigner' // the classes: checked member by member below
  | 'NativeVerifier'
  | 'NativeClient'
  | 'NativeEmulator'
  | 'version' // public as the constant VERSION
  | 'envNames' // public as the constant SIGNER_ENV
  | 'benchCoreSign' // the benchmark's baseline (bench/node)
  | 'raiseErrorForTests' // public as hooks.raiseError of qencode-cdn/testing
  | 'rejectErrorForTests' // hooks.rejectError
  | 'panicForTests' // hooks.panic
  | 'panicOnPoolForTests' // hooks.panicOnPool

type NativeModule = typeof import('../native')

export type Checks = [
  AllExposed<Exposed<N.NativeSigner, P.Signer>>,
  AllExposed<Exposed<typeof N.NativeSigner, typeof P.Signer>>,
  SameConstructor<typeof N.NativeSigner, typeof P.Signer>,
  AllExposed<Exposed<N.NativeVerifier, P.Verifier>>,
  AllExposed<Exposed<typeof N.NativeVerifier, typeof P.Verifier>>,
  SameConstructor<typeof N.NativeVerifier, typeof P.Verifier>,
  AllExposed<Exposed<N.NativeClient, P.Client>>,
  AllExposed<Exposed<typeof N.NativeClient, typeof P.Client>>,
  SameConstructor<typeof N.NativeClient, typeof P.Client>,
  AllExposed<Exposed<N.NativeEmulator, T.Emulator>>,
  SameConstructor<typeof N.NativeEmulator, typeof T.Emulator>,
  AllExposed<Exposed<NativeModule, typeof P, NotPublic>>,
]

// The check itself must be able to fail: a native method that the public
// class lacks, and a public call the native side refuses, are errors.
declare class Missing {
  sign(uri: string): string
  extra(): void
}
declare class Narrower {
  sign(uri: number): string
}
// @ts-expect-error `extra` is not exposed by P.Signer
export type MustFail1 = AllExposed<Exposed<Missing, P.Signer>>
// @ts-expect-error P.Signer.sign accepts a string where Narrower.sign takes a number
export type MustFail2 = AllExposed<Exposed<Narrower, P.Signer>>
