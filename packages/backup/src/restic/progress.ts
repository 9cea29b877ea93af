// restic's status lines as the job progress an operator sees: files, bytes
// and a percentage that only moves forward (restic's own estimate can dip
// when it finds more files to scan). Pure.
import type { BackupStatus } from './messages.ts';

export interface ResticProgress {
  /** 0–100, never lower than the last one reported. */
  percent: number;
  filesDone: number;
  totalFiles: number;
  bytesDone: number;
  totalBytes: number;
  errors: number;
  secondsRemaining?: number;
}

export function progressOf(status: BackupStatus, previous?: ResticProgress): ResticProgress {
  const percent = Math.min(
    100,
    Math.max(previous?.percent ?? 0, Math.floor(status.percent_done * 1000) / 10),
  );
  return {
    percent,
    filesDone: status.files_done ?? 0,
    totalFiles: status.total_files ?? 0,
    bytesDone: status.bytes_done ?? 0,
    totalBytes: status.total_bytes ?? 0,
    errors: status.error_count ?? 0,
    ...(status.seconds_remaining === undefined ? {} : { secondsRemaining: status.seconds_remaining }),
  };
}
