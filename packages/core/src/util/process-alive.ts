/**
 * Whether a process with this id exists (a lock's owner, say). Signal 0 checks without signalling; EPERM means it
 * exists under another user. Shared by every lock and staging folder that records its owner's pid.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
