// TOTP codes as an authenticator app makes them, for tests that sign in with
// two-factor on (the daemon's integration test and the browser e2e).
import { Secret, TOTP } from 'otpauth';

const PERIOD_MS = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Hands out codes the daemon will accept now: the current or the next time step (both
 * inside its ±1 window even if the step turns over on the way), never one used before,
 * since the daemon refuses a replayed code. When both steps are spent it waits for the next one.
 */
export class TotpCodes {
  #usedStep = 0;

  async fresh(secret: string): Promise<string> {
    const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
    for (;;) {
      const current = Math.floor(Date.now() / PERIOD_MS);
      const step = [current, current + 1].find((s) => s > this.#usedStep);
      if (step !== undefined) {
        this.#usedStep = step;
        return totp.generate({ timestamp: step * PERIOD_MS + 1 });
      }
      await sleep((current + 1) * PERIOD_MS - Date.now() + 50);
    }
  }
}
