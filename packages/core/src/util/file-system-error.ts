import { PolymodalError } from '../errors.js';

/** What a person can do about each file system failure that is theirs to fix, not ours. */
const USER_FIXABLE: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  ENAMETOOLONG: 'the name is too long',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  ENOENT: 'no such file or folder',
  EEXIST: 'it already exists',
  EXDEV: 'it is on another file system',
  EINVAL: 'the path is not valid here',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
};

export function isUserFixableFileError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && Object.hasOwn(USER_FIXABLE, code);
}

/**
 * A file system failure as a user error (exit 1, no stack trace) when the user can fix it (a path that
 * cannot be written, a full disk); anything else is returned unchanged, as the bug it is.
 */
export function fileSystemError(error: unknown, what: string, hint = 'Choose a path you can write to.'): unknown {
  if (error instanceof PolymodalError || !isUserFixableFileError(error)) return error;
  const dest = (error as { dest?: string }).dest;
  const where = error.path ? ` (${error.path}${dest ? ` -> ${dest}` : ''})` : '';
  return new PolymodalError(`${what}: ${USER_FIXABLE[error.code!]}${where}`, { hint, exitCode: 1, cause: error });
}
