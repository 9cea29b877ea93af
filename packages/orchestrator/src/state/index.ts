// The state store: one SQLite file, one module per table.
import type { DatabaseSync } from 'node:sqlite';
import { AppsRepo } from './apps.ts';
import { openStateDb } from './db.ts';
import { HealthRepo } from './health.ts';
import { JobsRepo } from './jobs.ts';
import { NotificationsRepo } from './notifications.ts';
import { OwnersRepo } from './owners.ts';

export class StateStore {
  readonly db: DatabaseSync;
  readonly apps: AppsRepo;
  readonly jobs: JobsRepo;
  readonly health: HealthRepo;
  readonly notifications: NotificationsRepo;
  readonly owners: OwnersRepo;

  constructor(file: string) {
    this.db = openStateDb(file);
    this.apps = new AppsRepo(this.db);
    this.jobs = new JobsRepo(this.db);
    this.health = new HealthRepo(this.db);
    this.notifications = new NotificationsRepo(this.db);
    this.owners = new OwnersRepo(this.db);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
