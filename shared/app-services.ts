/**
 * What every function of the app is given: the use cases' dependencies, the caller authenticator
 * and the orchestration control of an invocation — built once, then passed to each function's
 * factory (`functions/<name>.ts` exports `(root: AppRoot) => handler`). Production's root is
 * `productionRoot` in `composition-root.ts`; a test builds its own from the adapters it chooses,
 * so nothing global is swapped.
 */
import type { InvocationContext } from '@azure/functions';
import { EntraTokenVerifier } from './adapters/auth/entra-token-verifier';
import type { OrchestrationControl } from './domain/ports';
import { CallerAuthenticator } from './http/caller-authenticator';
import type { Dependencies } from './use-cases/dependencies';

export interface AppServices {
  deps: Dependencies;
  /** Built once: its token verifier caches the signing keys. */
  authenticator: CallerAuthenticator;
  /** The orchestration control over an invocation's durable client. */
  control(context: InvocationContext): OrchestrationControl;
}

/** The app's services, built on first use and the same afterwards (a failed build is tried again). */
export type AppRoot = () => Promise<AppServices>;

/** The services over these dependencies: the authenticator from their auth settings. */
export function appServices(deps: Dependencies, control: (context: InvocationContext) => OrchestrationControl): AppServices {
  const { auth } = deps.settings;
  return {
    deps,
    authenticator: new CallerAuthenticator(auth, auth.entra ? new EntraTokenVerifier(auth.entra) : null),
    control,
  };
}
