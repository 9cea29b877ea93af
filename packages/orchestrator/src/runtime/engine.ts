// The part of the @archipelago/podman client the orchestrator uses, named in
// one place. The facade takes the real client; tests pass the real client too.
import type { PodmanClient } from '@archipelago/podman';

export type Engine = PodmanClient;
