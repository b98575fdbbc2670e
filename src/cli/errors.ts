/** Plain words for the file system errors that a user can cause, by Node's error code. */
const ERROR_CODE_REASONS = new Map<string, string>([
  ['ENOENT', 'file not found'],
  ['EISDIR', 'is a folder, not a file'],
  ['EACCES', 'permission denied'],
  ['EPERM', 'operation not permitted'],
  ['ELOOP', 'too many levels of symbolic links'],
  ['ENOTDIR', 'a part of the path is not a folder'],
  ['ENAMETOOLONG', 'the file name is too long'],
  ['EMFILE', 'too many open files'],
  ['ENFILE', 'too many open files in the system'],
  ['EIO', 'input/output error'],
  ['EBUSY', 'the file is busy'],
  ['ENXIO', 'no such device'],
  ['ENOSPC', 'no space left on the device'],
  ['EAGAIN', 'the resource is temporarily unavailable, try again'],
  ['ERR_FS_FILE_TOO_LARGE', 'the file is too large to read'],
  ['ERR_STRING_TOO_LONG', 'the file is too large to read as text'],
]);

/** Describes an error in plain words: the wording for a known code, else its message without "Error:" or a stack. */
export function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const known = code === undefined ? undefined : ERROR_CODE_REASONS.get(code);
  if (known) return known;
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Error:\s*/, '').replace(/\.$/, '');
}
