// Who is signed in, and whether the node has been set up yet.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { SessionInfo } from '../api/contract.ts';
import { call, setCsrfToken } from '../api/rpc.ts';

export const useSessionStore = defineStore('session', () => {
  const loaded = ref(false);
  const setupRequired = ref(false);
  const authenticated = ref(false);
  /** Two-factor sign-in is on: signing in (and changing the password) needs a code. */
  const totpRequired = ref(false);

  function adopt(session: SessionInfo): void {
    setupRequired.value = session.setupRequired;
    authenticated.value = session.authenticated;
    totpRequired.value = session.totpRequired;
    setCsrfToken(session.csrfToken);
    loaded.value = true;
  }

  async function load(): Promise<void> {
    adopt(await call('auth.session'));
  }

  async function setup(password: string): Promise<void> {
    adopt(await call('auth.setup', { password }));
  }

  /** `code`: a TOTP code or a recovery code, when two-factor sign-in is on. */
  async function login(password: string, code?: string): Promise<void> {
    adopt(await call('auth.login', code ? { password, code } : { password }));
  }

  async function logout(): Promise<void> {
    try {
      await call('auth.logout');
    } finally {
      forget();
    }
  }

  /** The daemon said the session is gone. */
  function forget(): void {
    authenticated.value = false;
    setCsrfToken(null);
  }

  async function changePassword(current: string, next: string, code?: string): Promise<void> {
    await call('auth.changePassword', code ? { current, next, code } : { current, next });
  }

  return {
    loaded,
    setupRequired,
    authenticated,
    totpRequired,
    load,
    setup,
    login,
    logout,
    forget,
    changePassword,
  };
});
